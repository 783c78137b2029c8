"""API schemas of the address pickers and the resolver."""

from __future__ import annotations

from ninja import Field, Schema

from logitrack.core.schemas import HumanText


class UnitOut(Schema):
    """A 2025 province or commune: vietnam-provinces code and official name."""

    code: int
    name: str


class ResolveIn(Schema):
    """Free text, or split columns (``province``, pre-2025 ``district``, ``commune``)."""

    text: HumanText = Field(default="", max_length=500)
    province: HumanText | None = Field(default=None, max_length=100)
    district: HumanText | None = Field(default=None, max_length=100)
    commune: HumanText | None = Field(default=None, max_length=100)


class ResolvedOut(Schema):
    """The 2025 address; ``legacy_*`` are null unless a pre-2025 address was converted."""

    street: str
    ward_code: int
    ward_name: str
    province_code: int
    province_name: str
    new_form: str
    legacy_text: str | None
    legacy_form: str | None


class CandidateOut(Schema):
    """A 2025 commune the address could mean; ``label`` is readable, old name in brackets."""

    ward_code: int
    province_code: int
    label: str


class UnresolvedErrorOut(Schema):
    """``code``: address_ambiguous, address_commune_unknown, address_commune_not_in_province,
    address_province_unknown, address_empty (or validation_error for a malformed body)."""

    code: str
    message: str
    candidates: list[CandidateOut] = []


class UnresolvedOut(Schema):
    error: UnresolvedErrorOut
