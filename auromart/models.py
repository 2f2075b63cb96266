"""Project-wide models: the counters behind gap-free document numbers."""

from django.db import models


class NumberSequence(models.Model):
    """The last number handed out for a prefix in a year (PO-2026-00001, INV-2026-000001, ...).

    A number is taken with the row locked and inside the caller's transaction
    (auromart.numbering.number_next), so a rolled-back document rolls its
    number back too: numbers are gap-free and never reused.
    """

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="numbersequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
