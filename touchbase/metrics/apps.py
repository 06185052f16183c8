from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "touchbase.metrics"
    label = "metrics"
    verbose_name = "Metrics and reports"
