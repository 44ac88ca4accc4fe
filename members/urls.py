from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("waitlist/<slug:slug>/", views.waitlist, name="waitlist"),
]
