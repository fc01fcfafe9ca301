"""Human review of coded events: statuses, the fields a reviewer may correct, and the checks on a correction.

ACLED's records are checked by a person before release; midan's are machine-coded, so a reviewer accepts,
rejects or edits each one. An edit changes the record in place (its ``event_id_cnty`` stays), records who changed
which field from what to what (the audit log, kept by the store), and marks the event ``edited`` so that a later
report of the same event never overwrites it. The checks live here, apart from the store and the API, so that
every writer (the web page, the REST API, a script) applies the same rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from midan.errors import InputError
from midan.schema import (
    DISORDER_OVERRIDES,
    DISORDER_TYPES,
    INTER_CODES,
    SUB_EVENT_TYPES,
    Event,
    interaction,
)

#: every review status, in the order a queue shows them
STATUSES: tuple[str, ...] = ("unreviewed", "accepted", "edited", "rejected")
#: what a reviewer may set directly (``edited`` comes from editing a field)
DECISIONS: tuple[str, ...] = ("accepted", "rejected", "unreviewed")
#: the fields a reviewer may correct, with what each must be
EDITABLE: dict[str, str] = {
    "sub_event_type": "one of ACLED's 25 sub-event types (the event and disorder types follow from it)",
    "event_date": "a day, YYYY-MM-DD",
    "time_precision": "1 (day), 2 (week) or 3 (month)",
    "actor1": "text", "assoc_actor_1": "text", "actor2": "text", "assoc_actor_2": "text",
    "inter1": f"one of {', '.join(INTER_CODES)}", "inter2": f"one of {', '.join(INTER_CODES)} or empty",
    "location": "text", "admin1": "text", "admin2": "text", "admin3": "text", "country": "text",
    "latitude": "a number from -90 to 90", "longitude": "a number from -180 to 180",
    "geonames_id": "a GeoNames id (a positive 32-bit integer) or null", "geo_precision": "1, 2 or 3",
    "fatalities": "a whole number from 0 to 10,000,000", "notes": "text", "tags": "text",
}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: more than any one event has had: a larger figure is a typing slip (and would not fit every database's integer)
MAX_FATALITIES = 10_000_000
#: a country's ISO 3166 numeric code and ACLED region from its name, or None when unknown
CountryLookup = Callable[[str], "tuple[int | None, str] | None"]
_MAX_TEXT = 2000


def parse_statuses(value: str | None) -> tuple[str, ...] | None:
    """``"accepted|edited"`` or ``"accepted,edited"`` → the statuses; ``"any"`` → all; None/empty → None."""
    if value is None or not value.strip():
        return None
    if value.strip() == "any":
        return STATUSES
    found = tuple(dict.fromkeys(part.strip() for part in re.split(r"[|,]", value) if part.strip()))
    unknown = [s for s in found if s not in STATUSES]
    if unknown:
        raise InputError(f"unknown review status {unknown[0]!r}: expected {', '.join(STATUSES)} or 'any' "
                         "(several joined with '|')")
    return found


def corrected(item: Event, changes: dict[str, Any], country_of: CountryLookup | None = None,
              ) -> tuple[Event, list[tuple[str, Any, Any]]]:
    """The event with a reviewer's corrections applied, and each change as ``(field, old, new)``.

    Fields that follow from others are kept consistent (event and disorder type from the sub-event type, year
    from the date, the interaction from the inter labels, the fatality range from the figure, the ISO code and
    region from the country when ``country_of`` can tell them, and a third-level unit that no longer holds a
    moved place is cleared). Raises :class:`InputError` (one line) for an unknown field, a value the field
    cannot take or a country ``country_of`` does not know; nothing is applied then.
    """
    if not isinstance(changes, dict) or not changes:
        raise InputError("an edit needs at least one field to change")
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in EDITABLE:
            raise InputError(f"{name!r} cannot be edited: editable fields are {', '.join(EDITABLE)}")
        values[name] = _checked(name, value)
    fixed = replace(item, **values)
    if "sub_event_type" in values:
        fixed.event_type = SUB_EVENT_TYPES[fixed.sub_event_type]
        fixed.disorder_type = DISORDER_OVERRIDES.get(fixed.sub_event_type, DISORDER_TYPES[fixed.event_type])
    if "event_date" in values:
        fixed.year = int(fixed.event_date[:4])
        fixed.date_start = fixed.date_end = fixed.event_date
    if {"inter1", "inter2"} & set(values):
        if not fixed.inter1:
            raise InputError("inter1 cannot be empty")
        fixed.interaction = interaction(fixed.inter1, fixed.inter2)
        fixed.inter1_code = INTER_CODES[fixed.inter1]
        fixed.inter2_code = INTER_CODES[fixed.inter2] if fixed.inter2 else None
    if "fatalities" in values:
        fixed.fatalities_low = fixed.fatalities_high = fixed.fatalities
    if "country" in values and country_of is not None:
        known = country_of(fixed.country)
        if known is None:
            raise InputError(f"unknown country {fixed.country!r}: write it as the gazetteer names it")
        fixed.iso, fixed.region = known
    if {"location", "admin1", "admin2", "latitude", "longitude"} & set(values) and "admin3" not in values:
        fixed.admin3 = ""
    before, after = item.to_dict(), fixed.to_dict()
    changed = [(name, before[name], after[name]) for name in after
               if name not in {"evidence", "article_ids"} and before[name] != after[name]]
    return fixed, changed


def _checked(name: str, value: Any) -> Any:
    wrong = InputError(f"invalid {name} {str(value)[:200]!r}: expected {EDITABLE[name]}")
    if name in {"sub_event_type", "inter1", "inter2"} and not isinstance(value, str):
        raise wrong  # before the lookups below, which a list or an object cannot take part in
    if name == "sub_event_type":
        if value not in SUB_EVENT_TYPES:
            raise wrong
        return value
    if name == "event_date":
        if not isinstance(value, str) or not _DAY.fullmatch(value):
            raise wrong
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise wrong from None
        return value
    if name in {"inter1", "inter2"}:
        if value not in INTER_CODES and not (name == "inter2" and value == ""):
            raise wrong
        return value
    if name in {"latitude", "longitude"}:
        limit = 90 if name == "latitude" else 180
        if isinstance(value, bool) or not isinstance(value, int | float) or not -limit <= value <= limit:
            raise wrong
        return float(value)
    if name in {"time_precision", "geo_precision"}:
        if value not in (1, 2, 3) or isinstance(value, bool):
            raise wrong
        return int(value)
    if name == "fatalities":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FATALITIES:
            raise wrong
        return value
    if name == "geonames_id":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not 0 < value < 2**31):
            raise wrong
        return value
    if not isinstance(value, str) or len(value) > _MAX_TEXT:
        raise wrong
    return value.strip()
