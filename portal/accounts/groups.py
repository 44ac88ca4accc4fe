"""The staff groups and what each may do, as data: the migration and tests read the same table.

Later issues add their permissions here (e.g. Membership staff's snippet permissions on
organisations) and a small data migration that calls `ensure_staff_groups` again.
"""

from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.contrib.auth import get_user_model

CONTENT_EDITORS = "Content editors"
MEMBERSHIP_STAFF = "Membership staff"
EVENTS_STAFF = "Events staff"
FINANCE = "Finance"
ELECTION_STAFF = "Election staff"


@dataclass(frozen=True)
class StaffGroup:
    name: str
    # Model-level permissions as "app_label.codename" (snippets, redirects, ...).
    permissions: tuple[str, ...] = ()
    # Page permissions granted on the tree's root, so they cover every page.
    page_permissions: tuple[str, ...] = ()
    # Permissions on the root collection (images, documents).
    collection_permissions: tuple[str, ...] = ()
    description: str = field(default="", compare=False)


ACCESS_ADMIN = "wagtailadmin.access_admin"
# The whole audit log in the admin (Reports > Audit log, portal/wagtail_hooks.py).
VIEW_AUDIT_LOG = "wagtailcore.view_modellogentry"

STAFF_GROUPS: tuple[StaffGroup, ...] = (
    StaffGroup(
        CONTENT_EDITORS,
        permissions=(
            ACCESS_ADMIN,
            "wagtailredirects.add_redirect",
            "wagtailredirects.change_redirect",
            "wagtailredirects.delete_redirect",
            # The user survey's moderation queue and editions (portal/adoption).
            "adoption.view_surveyresponse",
            "adoption.change_surveyresponse",
            "adoption.view_surveyedition",
            "adoption.add_surveyedition",
            "adoption.change_surveyedition",
        ),
        page_permissions=("add_page", "change_page", "publish_page", "lock_page"),
        collection_permissions=(
            "wagtailimages.add_image",
            "wagtailimages.change_image",
            "wagtailimages.delete_image",
            "wagtailimages.choose_image",
            "wagtaildocs.add_document",
            "wagtaildocs.change_document",
            "wagtaildocs.delete_document",
            "wagtaildocs.choose_document",
        ),
        description="Write and publish the public site: pages, images, documents, redirects, survey moderation.",
    ),
    StaffGroup(
        MEMBERSHIP_STAFF,
        permissions=(
            ACCESS_ADMIN,
            VIEW_AUDIT_LOG,
            # Tiers, organisations, memberships with their history, dues, roles, the waiting list (members/).
            *(
                f"members.{action}_{model}"
                for model in ("membershiptier", "organization", "membership", "organizationrole", "tierwaitlistentry")
                for action in ("view", "add", "change")
            ),
            "members.view_duesperiod",
            "members.view_individualmember",  # read and search; people edit their own profiles
            # The applications queue: approve or reject.
            "members.view_membershipapplication",
            "members.change_membershipapplication",
            # The tier change requests queue (members/manage/admin.py): approve or decline.
            "members.view_tierchangerequest",
            "members.change_tierchangerequest",
        ),
        description="Organisations, memberships, the applications queue and dues.",
    ),
    StaffGroup(
        EVENTS_STAFF,
        permissions=(
            ACCESS_ADMIN,
            VIEW_AUDIT_LOG,
            # Registration (events/wagtail_hooks.py): events, ticket types, promo codes; orders are
            # read-only there, and change_order is what the approvals page asks for.
            "events.add_event",
            "events.change_event",
            "events.view_event",
            "events.add_tickettype",
            "events.change_tickettype",
            "events.view_tickettype",
            "events.add_promocode",
            "events.change_promocode",
            "events.view_promocode",
            "events.view_order",
            "events.change_order",
            # Check-in, sponsorships and their pipeline, the waiting lists, the dashboard.
            "events.check_in_ticket",
            "events.view_ticket",
            "events.add_sponsorshippackage",
            "events.change_sponsorshippackage",
            "events.view_sponsorshippackage",
            "events.view_sponsorship",
            "events.change_sponsorship",
            "events.view_waitinglistentry",
            "events.view_sponsorwaitinglistentry",
        ),
        description="Events, tickets, sponsorships, check-in.",
    ),
    StaffGroup(
        FINANCE,
        permissions=(
            ACCESS_ADMIN,
            VIEW_AUDIT_LOG,
            # The tax rules and rates (Finance → Tax, portal/payments/wagtail_hooks.py).
            "portal.view_taxrule",
            "portal.add_taxrule",
            "portal.change_taxrule",
            "portal.view_taxrate",
            "portal.add_taxrate",
            "portal.change_taxrate",
            "portal.delete_taxrate",
        ),
        description="Payments, refunds, invoices and tax rules.",
    ),
    StaffGroup(
        ELECTION_STAFF,
        permissions=(
            ACCESS_ADMIN,
            VIEW_AUDIT_LOG,
            # Define elections, add and withdraw candidates before voting opens, close voting
            # (elections/wagtail_hooks.py); certifying the count is a permission of its own.
            "elections.view_election",
            "elections.add_election",
            "elections.change_election",
            "elections.certify_election",
            "elections.view_candidate",
            "elections.add_candidate",
            "elections.change_candidate",
        ),
        description="Elections: set them up, manage candidates, close voting, certify results. Never ballots.",
    ),
)


def _permission(apps, dotted: str):
    """The Permission row for "app_label.codename", created if post_migrate has not run yet."""
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    app_label, codename = dotted.split(".", 1)
    found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    if found is not None:
        return found
    # On a fresh database Django creates model permissions after all migrations; make the ones
    # we need now, exactly as create_permissions would.
    declared = _declared_permission(apps, app_label, codename)
    if declared is not None:
        model, name = declared
    else:
        action, _, model = codename.partition("_")
        if app_label == "wagtailadmin":
            model = "admin"
        name = f"Can {action} {model.replace('_', ' ')}"
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    return Permission.objects.create(content_type=content_type, codename=codename, name=name)


def _declared_permission(apps, app_label: str, codename: str) -> tuple[str, str] | None:
    """(model, name) of a custom permission from the model's Meta.permissions: its codename names no model."""
    if app_label not in {config.label for config in apps.get_app_configs()}:
        return None
    for model in apps.get_app_config(app_label).get_models():
        for declared, name in model._meta.permissions:
            if declared == codename:
                return model._meta.model_name, name
    return None


def ensure_staff_groups(apps=None) -> None:
    """Create or complete each staff group; idempotent, and never removes what an admin added."""
    if apps is None:
        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    root_page = Page.objects.filter(depth=1).order_by("path").first()
    root_collection = Collection.objects.filter(depth=1).order_by("path").first()
    for spec in STAFF_GROUPS:
        group, _ = Group.objects.get_or_create(name=spec.name)
        group.permissions.add(*[_permission(apps, dotted) for dotted in spec.permissions])
        if root_page is not None:
            for codename in spec.page_permissions:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root_page, permission=_permission(apps, f"wagtailcore.{codename}")
                )
        if root_collection is not None:
            for dotted in spec.collection_permissions:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=_permission(apps, dotted)
                )


def group_member_emails(name: str) -> list[str]:
    """Where a staff group's alerts go: its active members' addresses, sorted (none if the group is missing)."""
    return list(
        get_user_model()
        .objects.filter(groups__name=name, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )
