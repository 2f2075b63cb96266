"""Serializer fields shared by the API apps."""

from rest_framework import serializers

# The largest id any backend stores (BIGINT): a larger number matches no row,
# and SQLite cannot even bind it.
MAX_ID = 2**63 - 1


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer and nothing else: 1.5, 2.0, "2" and true are refused, not coerced."""

    default_error_messages = {"invalid": "Enter a whole number (a JSON integer)."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)
