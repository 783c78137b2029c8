"""Why an address could not be resolved, with the units that could be meant.

``AddressUnresolved.code`` is stable (API error code, import report code); ``message`` is
translated; ``candidates`` lists the units the text could mean, for a picker or a report, and is
empty when nothing matched at all. The resolver raises it instead of guessing (ADR 0020).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PROVINCE_UNKNOWN = "address_province_unknown"
COMMUNE_UNKNOWN = "address_commune_unknown"
COMMUNE_NOT_IN_PROVINCE = "address_commune_not_in_province"
AMBIGUOUS = "address_ambiguous"
EMPTY = "address_empty"

_MESSAGES: dict[str, Promise] = {
    PROVINCE_UNKNOWN: _("The province or city of this address was not recognised."),
    COMMUNE_UNKNOWN: _("The commune or ward of this address was not recognised."),
    COMMUNE_NOT_IN_PROVINCE: _("This commune or ward is not in the chosen province."),
    AMBIGUOUS: _("This address could mean several communes or wards; choose one."),
    EMPTY: _("Enter an address with its commune or ward and its province."),
}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A 2025 commune/ward the text could mean: vietnam-provinces codes and a readable label.

    ``label`` is "<commune>, <province>", followed by the old unit it came from when the match was
    made through a pre-2025 name, e.g. "Phường Sài Gòn, Thành phố Hồ Chí Minh (Phường Bến Nghé,
    Quận 1)".
    """

    ward_code: int
    province_code: int
    label: str


@dataclass(eq=False)
class AddressUnresolved(Exception):
    """No single 2025 commune matches; ``code`` says why, ``candidates`` what could be meant."""

    code: str
    candidates: list[Candidate] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.code)

    @property
    def message(self) -> str:
        return str(_MESSAGES[self.code])
