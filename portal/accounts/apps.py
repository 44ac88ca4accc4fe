from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Imported here, not at the top: they use models, which Django loads after importing apps.py.
        from portal.accounts import sections, signals
        from portal.core.audit import register_actions

        register_actions(
            {
                "guildhall.user.update_profile": ("Update profile", "Profile updated"),
            }
        )
        sections.register_core()
        signals.connect()
