from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "touchbase.core"
    label = "core"
    verbose_name = "touchbase"
