"""Lookups on encrypted fields: exact matches go through the blind index, nothing else works.

``filter(phone="0901 234 567")`` and ``filter(phone__in=[...])`` compare ``phone_index`` with the
blind index of each value; ``isnull`` is Django's own. A field without a blind index refuses
``exact`` and ``in`` with a FieldError, as every other lookup is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import EmptyResultSet, FieldError
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup

if TYPE_CHECKING:  # Django's classes are generic only in django-stubs
    _Lookup = Lookup[Any]
else:
    _Lookup = Lookup

NO_MATCH = "-"  # never a hex digest: a lookup for an invalid value matches nothing


class _BlindLookup(_Lookup):
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        if hasattr(self.rhs, "resolve_expression"):
            raise FieldError("An encrypted field can only be compared with plain values.")
        return self.rhs

    def _index_column(self, compiler: Any, connection: Any) -> tuple[str, list[Any], Any]:
        if not isinstance(self.lhs, Col) or not getattr(self.lhs.target, "encrypted", False):
            raise FieldError("An encrypted field can only be matched on its own column.")
        source: Any = self.lhs.target  # an EncryptedField (fields imports this module)
        index = source.blind_index_field
        assert index is not None
        sql, params = compiler.compile(Col(self.lhs.alias, index, index))
        return sql, list(params), source


class BlindExact(_BlindLookup):
    lookup_name = "exact"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params, source = self._index_column(compiler, connection)
        return f"{sql} = %s", [*params, source.lookup_index(self.rhs)]


class BlindIn(_BlindLookup):
    lookup_name = "in"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params, source = self._index_column(compiler, connection)
        values = sorted({source.lookup_index(value) for value in self.rhs} - {NO_MATCH})
        if not values:
            raise EmptyResultSet
        return f"{sql} IN ({', '.join(['%s'] * len(values))})", [*params, *values]


class UnsearchableExact(_BlindLookup):
    lookup_name = "exact"

    def get_prep_lookup(self) -> Any:
        if self.rhs is not None:
            raise FieldError(
                "This encrypted field has no blind index, so it cannot be searched by value."
            )
        return None

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        raise FieldError("This encrypted field has no blind index.")


class UnsearchableIn(UnsearchableExact):
    lookup_name = "in"
