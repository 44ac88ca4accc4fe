from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Membership"

    def ready(self) -> None:
        from members import api  # noqa: F401 - registers /api/v1/tiers/ and /api/v1/members/ on the router
