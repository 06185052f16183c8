"""Prospecting pages, mounted at /leads/; the public inbound form address (`inbound_submit`) at the root."""

from django.urls import path

from . import views

app_name = "prospecting"
urlpatterns = [
    path("", views.tier_list, name="tier_list"),
    path("gap-tasks/", views.gap_tasks, name="gap_tasks"),
    path("framework/", views.framework_edit, name="framework"),
    path("companies/<int:pk>/qualifier/", views.company_qualifier, name="company_qualifier"),
]
urlpatterns += [
    path("inbound/", views.inbound_leads, name="inbound"),
    path("inbound/setup/", views.inbound_setup, name="inbound_setup"),
    path("inbound/setup/<slug:what>/", views.inbound_setup_change, name="inbound_setup_change"),
]
urlpatterns += [
    path("import/", views.import_upload, name="import_upload"),
    path("import/<uuid:public_id>/", views.import_preview, name="import_preview"),
    path("import/<uuid:public_id>/job/", views.import_job, name="import_job"),
    path("import/<uuid:public_id>/job/progress/", views.import_job_progress, name="import_job_progress"),
    path("import/<uuid:public_id>/rejected.csv", views.import_rejected, name="import_rejected"),
    path("import/<uuid:public_id>/retry/", views.import_retry, name="import_retry"),
    path("import/<uuid:public_id>/discard/", views.import_discard, name="import_discard"),
]

# Public, mounted at the site root by touchbase/urls.py: the address an inbound form posts to.
inbound_submit = path("inbound/<str:key>", views.inbound_submit, name="inbound_submit")
