"""My account, mounted at /accounts/ before allauth's own URLs."""

from django.urls import path

from portal.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("delete/", views.delete, name="delete"),
    path("export/", views.export, name="export"),
    # allauth's own URL name (mfa_activate_totp) still resolves here: this path comes first.
    path("2fa/totp/activate/", views.activate_totp, name="activate_totp"),
]
