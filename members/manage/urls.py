"""/members/manage/… (the member admin pages) and /members/invitations/<token>/ (accepting an invitation).

Every view under <slug:slug>/ is a `manage_view` named in access.ROLES_FOR_VIEW; tests/members/test_manage.py
walks this list, so a new view is checked for 404/403/log-in as soon as it is added here.
"""

from django.urls import path

from members.manage import views
from portal.core.secret_links import secret_link

app_name = "manage"

urlpatterns = [
    path("manage/", views.organizations, name="organizations"),
    path("manage/<slug:slug>/", views.overview, name="overview"),
    path("manage/<slug:slug>/profile/", views.profile, name="profile"),
    path("manage/<slug:slug>/people/", views.people, name="people"),
    path("manage/<slug:slug>/people/invite/", views.invitation_create, name="invitation_create"),
    path("manage/<slug:slug>/people/roles/<int:pk>/remove/", views.role_remove, name="role_remove"),
    path("manage/<slug:slug>/people/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("manage/<slug:slug>/invoices/", views.invoices, name="invoices"),
    path("manage/<slug:slug>/invoices/<str:number>.pdf", views.invoice_pdf, name="invoice_pdf"),
    path("manage/<slug:slug>/invoices/<int:pk>/pay/", views.invoice_pay, name="invoice_pay"),
    path("manage/<slug:slug>/invoices/details/", views.billing_details, name="billing_details"),
    path("manage/<slug:slug>/tier/", views.tier_change, name="tier_change"),
    path("invitations/<str:token>/", secret_link(views.invitation), name="invitation"),
]
