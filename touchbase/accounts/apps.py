from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "touchbase.accounts"
    label = "accounts"
    verbose_name = "Accounts"
