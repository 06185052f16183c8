"""Report pages: /reports/weekly/2026-W48, /reports/monthly/2026-11, /reports/quarterly/2026-Q4."""

from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("", views.latest, name="latest"),
    path("targets/", views.targets, name="targets"),
    path("targets/<int:pk>/end/", views.target_end, name="target_end"),
    path("<str:kind>/<str:name>", views.report, name="report"),
]
