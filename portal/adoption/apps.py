from django.apps import AppConfig


class AdoptionConfig(AppConfig):
    name = "portal.adoption"
    label = "adoption"
    verbose_name = "Adoption"

    def ready(self) -> None:
        # Imported here, not at the top: they use models, which Django loads after importing apps.py.
        from portal.adoption import api  # noqa: F401 - registers the adoption endpoints on the router
        from portal.core.audit import register_actions

        register_actions(
            {
                "adoption.response.submit": ("Submit survey response", "Survey response submitted"),
                "adoption.response.approve": ("Approve survey response", "Survey response approved"),
                "adoption.response.reject": ("Reject survey response", "Survey response rejected"),
                "adoption.aggregate.recompute": ("Recompute adoption figures", "Adoption figures recomputed"),
            }
        )
