from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "elections"
    verbose_name = "Elections"

    def ready(self) -> None:
        from elections import (
            api,  # noqa: F401 - registers /api/v1/elections/ on the router
            services,
        )
        from portal.core.audit import register_actions

        register_actions(services.AUDIT_ACTIONS)
