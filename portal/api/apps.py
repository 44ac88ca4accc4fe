from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "portal.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        # Imported here, not at the top: they use models, which Django loads after importing apps.py.
        from portal.api import (
            authentication,  # noqa: F401 - registers the bearer scheme with drf-spectacular
            signals,
        )
        from portal.core.audit import register_actions

        register_actions(
            {
                "api.token.create": ("Create API token", "API token created"),
                "api.token.update": ("Change API token", "API token changed"),
                "api.token.revoke": ("Revoke API token", "API token revoked"),
                "api.webhook.create": ("Register webhook", "Webhook registered"),
                "api.webhook.update": ("Change webhook", "Webhook changed"),
                "api.webhook.replay": ("Replay webhook delivery", "Webhook delivery replayed"),
            }
        )
        signals.connect()
