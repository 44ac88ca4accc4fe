from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("waitlist/<slug:slug>/", views.waitlist, name="waitlist"),
]


# --- Individual members: mounted at /members/individuals/ by portal/urls.py, before Wagtail. The list
# and the profiles (/members/individuals/<slug>/) are routes of the directory page; these slugs are reserved.
individual_urlpatterns = [
    path("join/", views.individual_join, name="join"),
    path("edit/", views.individual_edit, name="edit"),
    path("leave/", views.individual_leave, name="leave"),
]
