"""Outreach pages, under /outreach/. The public unsubscribe page is mounted at the site root (see touchbase/urls.py)."""

from django.urls import path

from . import views

app_name = "outreach"
urlpatterns = [
    path("", views.home, name="home"),
    path("mailbox/", views.mailbox_list, name="mailbox"),
    path("mailbox/test/", views.mailbox_check, name="mailbox_test"),
    path("mailboxes/new/", views.mailbox_add, name="mailbox_add"),
    path("mailboxes/<int:pk>/", views.mailbox_edit, name="mailbox_edit"),
    path("mailboxes/<int:pk>/test/", views.mailbox_test, name="mailbox_test_one"),
    path("mailboxes/<int:pk>/delete/", views.mailbox_delete, name="mailbox_delete"),
    path("mailboxes/<int:pk>/resume/", views.mailbox_resume, name="mailbox_resume"),
    path("sequences/new/", views.sequence_create, name="sequence_create"),
    path("sequences/<int:pk>/", views.sequence_detail, name="sequence"),
    path("sequences/<int:pk>/steps/", views.step_add, name="step_add"),
    path("sequences/<int:pk>/enroll-tier/", views.sequence_enroll_tier, name="sequence_enroll_tier"),
    path("sequences/<int:pk>/enroll/", views.sequence_enroll_people, name="sequence_enroll_people"),
    path("sequences/<int:pk>/archive/", views.sequence_archive, name="sequence_archive"),
    path("sequences/<int:pk>/auto-enroll/", views.sequence_auto_enroll, name="sequence_auto_enroll"),
    path("sequences/<int:pk>/mailbox/", views.sequence_mailbox, name="sequence_mailbox"),
    path("steps/<int:pk>/", views.step_edit, name="step_edit"),
    path("steps/<int:pk>/delete/", views.step_delete, name="step_delete"),
    path("people/<int:pk>/enroll/", views.person_enroll, name="person_enroll"),
    path("enrollments/<int:pk>/<slug:action>/", views.enrollment_action, name="enrollment_action"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/<slug:decision>/", views.outbox_decide, name="outbox_decide"),
    path("pieces/", views.piece_list, name="pieces"),
    path("pieces/new/", views.piece_edit, name="piece_create"),
    path("pieces/<int:pk>/", views.piece_edit, name="piece"),
    path("drips/", views.drip_list, name="drips"),
    path("drips/new/", views.drip_create, name="drip_create"),
    path("drips/<int:pk>/", views.drip_detail, name="drip"),
    path("drips/<int:pk>/pieces/", views.drip_add_piece, name="drip_add_piece"),
    path("drips/<int:pk>/settings/", views.drip_settings, name="drip_settings"),
    path("drips/<int:pk>/pick/", views.drip_pick, name="drip_pick"),
    path("drips/<int:pk>/start/", views.drip_start, name="drip_start"),
]

unsubscribe = path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe")
