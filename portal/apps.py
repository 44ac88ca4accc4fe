from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Guildhall portal"

    def ready(self) -> None:
        from portal import signals

        signals.connect()
