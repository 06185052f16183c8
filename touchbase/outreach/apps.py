from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "touchbase.outreach"
    label = "outreach"
    verbose_name = "Outreach"
