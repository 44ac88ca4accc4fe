"""Admin menu pieces shared by the apps' wagtail_hooks."""

from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem


class PermissionMenuItem(MenuItem):
    """A menu item shown only to people holding `permission` (the screen checks it again)."""

    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


def register_permission_menu_item(label: str, url_name: str, *, icon_name: str, order: int, permission: str) -> None:
    """Add to the admin menu an item to the admin URL named `url_name`, shown to people holding `permission`."""
    hooks.register(
        "register_admin_menu_item",
        lambda: PermissionMenuItem(label, reverse(url_name), icon_name=icon_name, order=order, permission=permission),
    )
