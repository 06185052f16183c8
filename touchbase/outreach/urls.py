"""Outreach pages, under /outreach/. The public unsubscribe page is mounted at the site root (see touchbase/urls.py)."""

from django.urls import path

from . import views

app_name = "outreach"
urlpatterns = [
    path("", views.home, name="home"),
    path("mailbox/", views.mailbox_edit, name="mailbox"),
    path("mailbox/test/", views.mailbox_check, name="mailbox_test"),
    path("sequences/new/", views.sequence_create, name="sequence_create"),
    path("sequences/<int:pk>/", views.sequence_detail, name="sequence"),
    path("sequences/<int:pk>/steps/", views.step_add, name="step_add"),
    path("steps/<int:pk>/", views.step_edit, name="step_edit"),
    path("people/<int:pk>/enroll/", views.person_enroll, name="person_enroll"),
    path("enrollments/<int:pk>/<slug:action>/", views.enrollment_action, name="enrollment_action"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/<slug:decision>/", views.outbox_decide, name="outbox_decide"),
]

unsubscribe = path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe")
