"""The translation catalogs agree with each other and with their compiled files.

Django merges every app's catalog (and the project catalog under ``LOCALE_PATHS``) into one
per language. A (context, msgid) pair translated differently in two catalogs is therefore shown
with one of the translations on every page, whichever catalog wins the merge, so the same
source string must carry the same translation everywhere; where the meaning differs, the
source string needs a context (``pgettext``, ``{% translate ... context ... %}``).

No database: the ``.po`` files are parsed here and the ``.mo`` files read with the standard
library's ``gettext``.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "aftersales"
PO_FILES = sorted(SRC.glob("**/locale/*/LC_MESSAGES/django.po"))

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"{where}: expected a quoted string, got {text!r}")
    body = text[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


@dataclass
class Entry:
    path: Path
    line: int
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(SRC.parent)}:{self.line}"

    @property
    def translations(self) -> tuple[str, ...]:
        return tuple(self.msgstr[index] for index in sorted(self.msgstr))


def parse_po(path: Path) -> list[Entry]:
    """The entries of a ``.po`` file, the header (empty msgid) included, obsolete ones flagged."""
    entries: list[Entry] = []
    current: Entry | None = None
    # The field the next continuation line belongs to: (msgctxt|msgid|msgid_plural|msgstr, index).
    target: tuple[str, int] | None = None
    flags: set[str] = set()

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        where = f"{path}:{number}"
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if line.startswith("|"):  # the previous msgid of an obsolete entry
                continue
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"{where}: continuation line outside an entry")
            name, index = target
            value = _unquote(line, where)
            if name == "msgstr":
                current.msgstr[index] += value
            else:
                setattr(current, name, (getattr(current, name) or "") + value)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgctxt" or (keyword == "msgid" and target != ("msgctxt", 0)):
            current = Entry(path=path, line=number, flags=flags, obsolete=obsolete)
            entries.append(current)
            flags = set()
        if current is None:
            raise ValueError(f"{where}: {keyword} outside an entry")
        plural_form = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(current, keyword, _unquote(rest, where))
            target = (keyword, 0)
        elif keyword == "msgstr" or plural_form:
            index = int(plural_form.group(1)) if plural_form else 0
            current.msgstr[index] = _unquote(rest, where)
            target = ("msgstr", index)
        else:
            raise ValueError(f"{where}: unknown keyword {keyword!r}")
    return entries


def active_entries(path: Path) -> list[Entry]:
    """The entries of the catalog: not the header, not obsolete (``#~``)."""
    return [entry for entry in parse_po(path) if entry.msgid and not entry.obsolete]


def compiled_entries(path: Path) -> list[Entry]:
    """The entries msgfmt puts in the ``.mo`` file: it leaves out fuzzy and untranslated ones."""
    return [
        entry
        for entry in active_entries(path)
        if not entry.fuzzy and entry.msgstr and all(entry.msgstr.values())
    ]


def _label(path: Path) -> str:
    """The app a catalog belongs to, or "(project)" for the one under ``LOCALE_PATHS``."""
    app = path.relative_to(SRC).parts[0]
    return "(project)" if app == "locale" else app


def test_catalogs_found() -> None:
    assert len(PO_FILES) >= 2, PO_FILES
    for path in PO_FILES:
        assert active_entries(path), path


def test_no_duplicate_entries_within_a_catalog() -> None:
    problems = []
    for path in PO_FILES:
        seen: dict[tuple[str | None, str], Entry] = {}
        for entry in active_entries(path):
            if entry.key in seen:
                problems.append(f"{entry.where}: {entry.key!r} already at line {seen[entry.key].line}")
            seen[entry.key] = entry
    assert not problems, "\n".join(problems)


def test_no_fuzzy_entries() -> None:
    """msgfmt leaves fuzzy entries out, so the page would silently fall back to another
    catalog's translation of the same msgid, or to English."""
    fuzzy = [
        f"{entry.where}: {entry.key!r}"
        for path in PO_FILES
        for entry in parse_po(path)
        if entry.msgid and entry.fuzzy and not entry.obsolete
    ]
    assert not fuzzy, "fuzzy entries (review them, then drop the flag):\n" + "\n".join(fuzzy)


def test_every_entry_is_translated() -> None:
    untranslated = [
        f"{entry.where}: {entry.key!r}"
        for path in PO_FILES
        for entry in active_entries(path)
        if not entry.msgstr or not all(entry.msgstr.values())
    ]
    assert not untranslated, "\n".join(untranslated)


def test_same_source_string_same_translation_in_every_catalog() -> None:
    """Catalogs are merged into one per language, so one (context, msgid) has one translation."""
    by_key: dict[tuple[str | None, str], dict[tuple[str, ...], list[Entry]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for path in PO_FILES:
        for entry in compiled_entries(path):
            by_key[entry.key][entry.translations].append(entry)
    conflicts = []
    for (context, msgid), variants in sorted(by_key.items(), key=lambda item: (item[0][0] or "", item[0][1])):
        if len(variants) < 2:
            continue
        label = f"msgid {msgid!r}" + (f" msgctxt {context!r}" if context is not None else "")
        lines = [label]
        for translations, entries in variants.items():
            apps = ", ".join(sorted(_label(entry.path) for entry in entries))
            lines.append(f"    {' | '.join(translations)!r}: {apps}")
        conflicts.append("\n".join(lines))
    assert not conflicts, (
        f"{len(conflicts)} source strings translated differently in different catalogs "
        "(unify the wording, or give the source string a context where the meaning differs):\n"
        + "\n".join(conflicts)
    )


# %(name)s, %s, %d, %.1f ... ; "%%" is a literal percent sign.
_PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +\-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[hlL]?(?P<conv>[diouxXeEfFgGcrsa%])"
)


def _placeholders(text: str) -> tuple[list[str], list[str]]:
    """Named placeholders (sorted) and positional ones (in order), without ``%%``."""
    named: list[str] = []
    positional: list[str] = []
    for match in _PLACEHOLDER.finditer(text):
        if match.group("conv") == "%":
            continue
        if match.group("name") is not None:
            named.append(f"%({match.group('name')}){match.group('conv')}")
        else:
            positional.append(f"%{match.group('conv')}")
    return sorted(set(named)), positional


_NAMED = re.compile(r"%\(\w+\)")


def test_python_format_placeholders_kept_in_translations() -> None:
    """A translation that drops or renames a placeholder raises KeyError (or shows a raw ``%s``)."""
    problems = []
    for path in PO_FILES:
        for entry in active_entries(path):
            if "python-format" not in entry.flags and not _NAMED.search(entry.msgid):
                continue
            # With one plural form (Chinese) msgstr[0] serves every count: it follows msgid_plural,
            # which has every placeholder the singular has (the singular may leave the count out).
            source = entry.msgid if entry.msgid_plural is None else entry.msgid_plural
            expected = _placeholders(source)
            if entry.msgid_plural is not None and not set(_placeholders(entry.msgid)[0]) <= set(expected[0]):
                problems.append(f"{entry.where}: msgid has placeholders msgid_plural lacks")
            for index, translation in entry.msgstr.items():
                got = _placeholders(translation)
                if got != expected:
                    problems.append(
                        f"{entry.where}: msgstr[{index}] {translation!r} has {got}, the source has {expected}"
                    )
    assert not problems, "\n".join(problems)


def _readable(key: object) -> str:
    """A compiled catalog's key (msgid, context and msgid joined by EOT, or (msgid, plural index))."""
    return repr(key).replace("\\x04", " | ")


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda path: _label(path))
def test_mo_is_compiled_from_po(po_path: Path, tmp_path: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext's msgfmt is not installed: cannot check the .mo files are up to date")
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing: run msgfmt --check -o {mo_path.name} {po_path.name}"
    fresh = tmp_path / "django.mo"
    result = subprocess.run(
        [msgfmt, "--check", "-o", str(fresh), str(po_path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    with fresh.open("rb") as fresh_file, mo_path.open("rb") as committed_file:
        expected = gettext.GNUTranslations(fresh_file)._catalog  # type: ignore[attr-defined]
        committed = gettext.GNUTranslations(committed_file)._catalog  # type: ignore[attr-defined]
    stale = sorted(
        _readable(key) for key in set(expected) | set(committed) if expected.get(key) != committed.get(key)
    )
    assert not stale, (
        f"{mo_path.relative_to(SRC.parent)} is not compiled from its .po "
        f"(run msgfmt --check -o django.mo django.po in its folder); differing entries:\n"
        + "\n".join(stale[:40])
    )


def test_parsed_entries_match_the_compiled_catalog(tmp_path: Path) -> None:
    """The parser above reads the files as msgfmt does (so the checks here see what Django sees)."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext's msgfmt is not installed")
    for po_path in PO_FILES:
        fresh = tmp_path / f"{_label(po_path)}.mo"
        subprocess.run([msgfmt, "-o", str(fresh), str(po_path)], check=True, capture_output=True)
        with fresh.open("rb") as fresh_file:
            catalog = gettext.GNUTranslations(fresh_file)._catalog  # type: ignore[attr-defined]
        parsed: dict[object, str] = {}
        for entry in compiled_entries(po_path):
            msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
            if entry.msgid_plural is None:
                parsed[msgid] = entry.msgstr[0]
            else:
                for index, translation in entry.msgstr.items():
                    parsed[(msgid, index)] = translation
        compiled = {key: value for key, value in catalog.items() if key != ""}
        differing = sorted(
            _readable(key) for key in set(parsed) | set(compiled) if parsed.get(key) != compiled.get(key)
        )
        assert not differing, f"{po_path}: read differently from msgfmt: {differing[:20]}"
