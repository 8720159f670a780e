"""Terms of Chinese (and mixed Chinese/Latin) text for the FAQ search index. Pure functions, no Django.

Chinese has no spaces between words, and a dictionary-based word segmenter needs a
dictionary download and still splits domain words (漏水, 不制冷, E4故障) unpredictably.
Overlapping character bigrams need nothing: every two-character word, and every pair
inside a longer word, is a term, so a search for 漏水 finds 洗衣机底部漏水怎么办 and a
search for 不制冷 scores an article highest when both 不制 and 制冷 occur in it. Latin
letters and digits (model numbers, error codes like E4) are kept as whole tokens.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

# CJK unified ideographs (basic block and extension A) and compatibility ideographs.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_CJK_RE = re.compile(rf"[{_CJK}]")
# Longer Latin tokens are cut: nobody types a 40-character code during a call.
MAX_LATIN = 24


def normalize(text: str) -> str:
    """Full-width letters and digits (ＫＦＲ－３５) become half-width; everything lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _is_cjk(token: str) -> bool:
    return bool(_CJK_RE.match(token))


def terms(text: str) -> list[str]:
    """The index terms of ``text`` in order, with repeats: CJK bigrams (a lone character
    on its own), Latin/digit tokens whole."""
    out: list[str] = []
    for token in _TOKEN_RE.findall(normalize(text)):
        if _is_cjk(token):
            if len(token) == 1:
                out.append(token)
            else:
                out.extend(token[i : i + 2] for i in range(len(token) - 1))
        else:
            out.append(token[:MAX_LATIN])
    return out


def term_counts(text: str) -> Counter[str]:
    return Counter(terms(text))


def weighted_counts(fields: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Term frequencies summed over fields, each field's occurrences counted ``weight`` times
    (a match in the question says more than a match somewhere in a long answer)."""
    total: dict[str, float] = {}
    for text, weight in fields:
        for term, count in term_counts(text).items():
            total[term] = total.get(term, 0.0) + count * weight
    return total


def tokens(text: str) -> list[str]:
    """The unbroken runs of Chinese characters and of Latin letters/digits, normalised."""
    return _TOKEN_RE.findall(normalize(text))


def only_single_characters(query: str) -> bool:
    """True when the query has no term that the index can look up by itself (e.g. just 冷)."""
    tokens = _TOKEN_RE.findall(normalize(query))
    return bool(tokens) and all(_is_cjk(t) and len(t) == 1 for t in tokens)


def highlight_spans(text: str, query_terms: Iterable[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, matched) runs, a character being matched when it belongs to
    an occurrence of one of the query's terms; pages use it to mark what was found."""
    wanted = {t for t in query_terms if t}
    if not text or not wanted:
        return [(text, False)] if text else []
    lowered = normalize(text)
    # NFKC may change the length of odd characters; highlighting then falls back to none.
    if len(lowered) != len(text):
        return [(text, False)]
    marked = [False] * len(text)
    for term in wanted:
        start = lowered.find(term)
        while start != -1:
            for i in range(start, start + len(term)):
                marked[i] = True
            start = lowered.find(term, start + 1)
    spans: list[tuple[str, bool]] = []
    for ch, flag in zip(text, marked, strict=True):
        if spans and spans[-1][1] == flag:
            spans[-1] = (spans[-1][0] + ch, flag)
        else:
            spans.append((ch, flag))
    return spans
