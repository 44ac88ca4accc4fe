from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Guildhall portal"

    def ready(self) -> None:
        # Imported here, not at the top: they use models, which Django loads after importing apps.py.
        from portal.api import projects  # noqa: F401 - registers /api/v1/projects/ on the router
        from portal.site import signals

        signals.connect()
