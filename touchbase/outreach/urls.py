"""Outreach pages, under /outreach/. The public unsubscribe page is mounted at the site root (see touchbase/urls.py)."""

from django.urls import path

from . import views

app_name = "outreach"
urlpatterns: list = []

unsubscribe = path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe")
