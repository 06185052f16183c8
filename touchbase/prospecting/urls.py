"""Prospecting pages, mounted at /leads/."""

from django.urls import path

from . import views

app_name = "prospecting"
urlpatterns = [
    path("", views.tier_list, name="tier_list"),
    path("gap-tasks/", views.gap_tasks, name="gap_tasks"),
    path("framework/", views.framework_edit, name="framework"),
]
