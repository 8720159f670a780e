"""Chinese phone numbers: mobile ``1[3-9]\\d{9}`` and landlines with an area code.

Pure functions, no Django: normalising what an agent types (spaces, dashes,
+86, brackets) into one stored form, and telling mobile from landline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Area codes are 3 digits (010, 02x) or 4 digits (0xxx); local numbers 7 or 8 digits;
# an optional extension of 1-6 digits after a dash.
LANDLINE_RE = re.compile(r"^(0(?:10|2\d|[3-9]\d{2}))(\d{7,8})(?:#?(\d{1,6}))?$")


class InvalidPhone(ValueError):
    pass


@dataclass(frozen=True)
class Phone:
    kind: str  # "mobile" | "landline"
    number: str  # normalised display form: 13812345678 or 010-12345678[-123]
    digits: str  # digits only, for search

    @property
    def last4(self) -> str:
        return self.digits[-4:]


def parse_phone(raw: str) -> Phone:
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone("empty")
    cleaned = re.sub(r"[\s()（）\-—]", "", text.replace("转", "#").replace("ext", "#").replace("x", "#"))
    if cleaned.startswith("+86"):
        cleaned = cleaned[3:]
    elif cleaned.startswith("0086"):
        cleaned = cleaned[4:]
    elif cleaned.startswith("86") and len(cleaned) == 13:
        cleaned = cleaned[2:]
    if MOBILE_RE.match(cleaned):
        return Phone("mobile", cleaned, cleaned)
    m = LANDLINE_RE.match(cleaned)
    if m:
        area, local, ext = m.groups()
        number = f"{area}-{local}" + (f"-{ext}" if ext else "")
        return Phone("landline", number, area + local + (ext or ""))
    raise InvalidPhone(raw)


def digits_of(raw: str) -> str:
    return re.sub(r"\D", "", raw or "")
