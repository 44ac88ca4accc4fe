from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "portal.payments"
    label = "payments"
    verbose_name = "Payments"
