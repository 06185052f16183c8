from django.apps import AppConfig


class ProspectingConfig(AppConfig):
    name = "touchbase.prospecting"
    label = "prospecting"
    verbose_name = "Prospecting"
