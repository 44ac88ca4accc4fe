"""My account, mounted at /accounts/ before allauth's own URLs."""

from django.urls import path

from portal.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("delete/", views.delete, name="delete"),
    path("export/", views.export, name="export"),
]
