from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "touchbase.crm"
    label = "crm"
    verbose_name = "CRM"
