from decimal import Decimal

from loyalty.models import LoyaltySettings


def loyalty_on(**fields) -> LoyaltySettings:
    """The programme running: by default 5 points per ₹100, ₹1 a point, 20 % / ₹500 a order."""
    row = LoyaltySettings.load()
    values = {
        "enabled": True,
        "points_per_100": Decimal("5"),
        "point_value": Decimal("1.00"),
        "max_redeem_percent": Decimal("20"),
        "max_redeem_amount": Decimal("500"),
        "expiry_months": 12,
        **fields,
    }
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    return row
