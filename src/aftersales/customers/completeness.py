"""Customer file completeness (客户资料完善性): the share of required items filled in. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field

# The items a complete file holds, by customer kind. A company's file also needs a
# named contact person; a person's file is complete without one.
REQUIRED_ITEMS: dict[str, tuple[str, ...]] = {
    "person": ("name", "phone", "mobile", "address", "zone", "email"),
    "company": ("name", "phone", "address", "zone", "email", "contact"),
}


@dataclass(frozen=True)
class CustomerFacts:
    kind: str
    name: str = ""
    phone_kinds: tuple[str, ...] = ()
    full_address: bool = False
    zone_known: bool = False
    email: str = ""
    contacts: int = 0


@dataclass(frozen=True)
class Completeness:
    score: float
    missing: tuple[str, ...] = field(default_factory=tuple)


def file_completeness(facts: CustomerFacts) -> Completeness:
    present = {
        "name": bool(facts.name.strip()),
        "phone": bool(facts.phone_kinds),
        "mobile": "mobile" in facts.phone_kinds,
        "address": facts.full_address,
        "zone": facts.zone_known,
        "email": bool(facts.email.strip()),
        "contact": facts.contacts > 0,
    }
    required = REQUIRED_ITEMS[facts.kind]
    missing = tuple(item for item in required if not present[item])
    return Completeness(score=round((len(required) - len(missing)) / len(required), 3), missing=missing)
