"""The Django admin is for superusers only; staff work in the Wagtail admin."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class SuperuserAdminSite(admin.AdminSite):
    site_header = "Guildhall system administration"
    site_title = "Guildhall system administration"

    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser


class GuildhallAdminConfig(AdminConfig):
    default_site = "portal.accounts.admin_site.SuperuserAdminSite"
