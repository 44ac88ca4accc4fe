from datetime import date
from decimal import Decimal

from portal.core.tax import TaxKind, TaxMode, TaxRate, TaxRule


def french_vat() -> TaxRate:
    """France's standard VAT rate, 20 % since 2014."""
    return TaxRate.objects.create(country="FR", rate=Decimal("20"), valid_from=date(2014, 1, 1))


def reverse_charge_rule(name: str, kind: TaxKind) -> TaxRule:
    """Sold from France on net prices, taxed by the buyer's country: EU businesses are reverse-charged."""
    return TaxRule.objects.create(
        name=name, kind=kind, mode=TaxMode.BUYER_COUNTRY, country="FR", prices_include_tax=False
    )
