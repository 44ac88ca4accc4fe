from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Membership"

    def ready(self) -> None:
        from members import (
            api,  # noqa: F401 - registers /api/v1/tiers/ and /api/v1/members/ on the router
            services,
        )
        from members.account import register_account_sections, register_individual_sections
        from portal.core.audit import register_actions
        from portal.payments import registry

        register_actions(services.AUDIT_ACTIONS)
        registry.register(
            "members.duesperiod",
            on_succeeded=services.dues_paid,
            on_refunded=services.dues_refunded,
            describe=services.describe_dues,
            refusal=services.dues_refusal,
            on_dispute_lost=services.dues_dispute_lost,
        )
        register_account_sections()
        register_individual_sections()

        # The member admin pages (members/manage/): their audit actions and the invitations' anonymiser.
        from members.manage import invitations as manage_invitations
        from members.manage import services as manage_services
        from portal.accounts.sections import register_anonymiser

        register_actions(manage_services.AUDIT_ACTIONS)
        register_anonymiser("members_invitations", manage_invitations.anonymise)

        # Shared pages differ for an organisation's admins (the register page offers them bundles).
        from members import role_facts

        role_facts.connect()
