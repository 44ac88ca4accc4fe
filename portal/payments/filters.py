"""Filters of the finance screens and their CSV exports."""

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from portal.payments.models import Invoice, InvoiceKind, InvoiceStatus, Payment, PaymentMethod, PaymentStatus


def _owner_types(request):
    ids = Payment.objects.values_list("owner_content_type", flat=True).distinct()
    return ContentType.objects.filter(pk__in=ids)


class PaymentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PaymentStatus.choices)
    method = django_filters.ChoiceFilter(choices=PaymentMethod.choices)
    owner_type = django_filters.ModelChoiceFilter(
        field_name="owner_content_type", queryset=_owner_types, label="What for"
    )
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="From")
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="To")
    q = django_filters.CharFilter(method="search", label="E-mail or reference")

    class Meta:
        model = Payment
        fields: list[str] = []

    def search(self, queryset, name, value):

        return queryset.filter(Q(payer_email__icontains=value) | Q(public_id=value) | Q(stripe_payment_intent_id=value))


class InvoiceFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=InvoiceStatus.choices)
    kind = django_filters.ChoiceFilter(choices=InvoiceKind.choices)
    issued_from = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte", label="Issued from")
    issued_to = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte", label="Issued to")
    q = django_filters.CharFilter(method="search", label="Number, buyer or PO")

    class Meta:
        model = Invoice
        fields: list[str] = []

    def search(self, queryset, name, value):

        return queryset.filter(
            Q(number__icontains=value) | Q(buyer_name__icontains=value) | Q(buyer_po_number__icontains=value)
        )
