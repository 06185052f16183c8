"""Report pages: /reports/weekly/2026-W48, /reports/monthly/2026-11, /reports/quarterly/2026-Q4."""

from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("", views.latest, name="latest"),
    path("<str:kind>/<str:name>", views.report, name="report"),
]
