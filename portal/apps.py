from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Guildhall portal"

    def ready(self) -> None:
        from portal.api import projects  # noqa: F401 - registers /api/v1/projects/ on the router
        from portal.site import signals

        signals.connect()
