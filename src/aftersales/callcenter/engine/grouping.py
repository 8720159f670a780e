"""Grouped sums over small integer keys, and a cheap sort order for agent timelines.

Rollups add millions of per-call and per-segment numbers into a few hundred
thousand cells (half hour x agent x queue). Each key is first turned into a
small integer code (agents and queues through a sorted dictionary, half hours
through their distance from the first one), the codes of a row are packed
into one integer, and the cells are the distinct packed values. Every counter
is then one pass of ``numpy.bincount`` over the cells, which adds the values
of each cell in row order. Cells come out ordered by their codes, that is by
time, then agent name, then queue name, with "no agent" / "no queue" first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

# Packed keys stay clear of the sign bit.
_MAX_SPACE = 1 << 62
# Below this many possible cells, cells are found by counting into a dense array instead of sorting.
_DENSE_MIN = 1 << 20


def dictionary(*columns: pl.Series) -> pl.Series:
    """The distinct non-null values of text columns, sorted."""
    parts = [c.cast(pl.String).drop_nulls().unique() for c in columns if c.len()]
    if not parts:
        return pl.Series(values=[], dtype=pl.String)
    return pl.concat(parts).unique().sort()


def encode(column: pl.Series, categories: pl.Series) -> np.ndarray:
    """Codes of a text column: 0 for null, ``i + 1`` for ``categories[i]`` (every value must be one)."""
    if column.len() == 0:
        return np.zeros(0, dtype=np.int64)
    phys = column.cast(pl.String).cast(pl.Enum(categories)).to_physical()
    if phys.null_count():
        return (phys.cast(pl.Int64) + 1).fill_null(0).to_numpy()
    codes = phys.to_numpy().astype(np.int64)
    codes += 1
    return codes


def decode(codes: np.ndarray, categories: pl.Series) -> pl.Series:
    """Text of codes made by :func:`encode`."""
    idx = pl.Series(codes, dtype=pl.Int64)
    idx = pl.select(pl.when(idx > 0).then(idx - 1).otherwise(None).cast(pl.UInt32)).to_series()
    return categories.gather(idx)


def slot_codes(parts: Sequence[np.ndarray]) -> tuple[list[np.ndarray], int, np.ndarray]:
    """Codes for integer slot numbers (such as half hours since the epoch) across several arrays.

    Returns the codes of each array, the number of codes and the slot of each
    code. Slots are coded by their distance from the first one (in place: the
    arrays are overwritten), unless they are spread so thinly that ranking
    them is cheaper.
    """
    sizes = [len(p) for p in parts]
    filled = [p for p in parts if len(p)]
    if not filled:
        return [np.zeros(0, dtype=np.int64) for _ in parts], 0, np.zeros(0, dtype=np.int64)
    lo = min(int(p.min()) for p in filled)
    hi = max(int(p.max()) for p in filled)
    span = hi - lo + 1
    if span <= max(_DENSE_MIN, 4 * sum(sizes)):
        # The arrays are the caller's scratch: shifted in place.
        for p in parts:
            p -= lo
        return list(parts), span, lo + np.arange(span, dtype=np.int64)
    values, codes = np.unique(np.concatenate(parts), return_inverse=True)
    return _split(codes.reshape(-1).astype(np.int64, copy=False), sizes), len(values), values


# Sums go straight into an array over every possible cell when it is at most this long.
_DIRECT_MAX = 1 << 19


class Cells:
    """The cells of rows keyed by several codes, and per-cell sums over those rows.

    ``parts`` holds, for each input, one code array per key; codes of the i-th
    key are below ``sizes[i]``. Cells are ordered by their codes; ``keys``
    holds, per key, the code of each cell. With ``reuse`` the first code array
    of each input (int64, no longer needed by the caller) is overwritten.

    When the possible cells are few, every sum is one ``bincount`` over them;
    otherwise rows are first numbered by cell. Either way values are added in
    row order.
    """

    def __init__(
        self, parts: Sequence[Sequence[np.ndarray]], sizes: Sequence[int], *, reuse: bool = False
    ) -> None:
        self.sizes = [max(1, int(s)) for s in sizes]
        space = 1
        for size in self.sizes:
            space *= size
        self.space = space
        self._direct: list[np.ndarray] | None = None
        self._present: np.ndarray | None = None
        self._ids: list[np.ndarray] | None = None
        n = sum(len(p[0]) for p in parts)
        if space >= _MAX_SPACE:
            self._by_rank(parts)
            return
        packed = []
        for p in parts:
            a = p[0] if reuse and p[0].dtype == np.int64 else p[0].astype(np.int64)
            for k, size in zip(p[1:], self.sizes[1:], strict=True):
                if size > 1:
                    a *= size
                    a += k
            packed.append(a)
        if space <= max(_DENSE_MIN, 4 * n):
            counts = np.zeros(space, dtype=np.int64)
            for a in packed:
                counts += np.bincount(a, minlength=space)
            present = np.flatnonzero(counts)
            if space <= _DIRECT_MAX:
                self._direct = packed
                self._present = present
            else:
                remap = np.zeros(space, dtype=np.int64)
                remap[present] = np.arange(len(present), dtype=np.int64)
                self._ids = [remap[a] for a in packed]
        else:
            present, ids = np.unique(np.concatenate(packed), return_inverse=True)
            self._ids = _split(ids.reshape(-1).astype(np.int64, copy=False), [len(a) for a in packed])
        self.keys = self._unpack(present)
        self.n = len(present)

    def _by_rank(self, parts: Sequence[Sequence[np.ndarray]]) -> None:
        keys = [
            np.concatenate([np.zeros(0, np.int64), *(p[i] for p in parts)]) for i in range(len(self.sizes))
        ]
        uniq, ids = np.unique(np.stack(keys, axis=1), axis=0, return_inverse=True)
        self._ids = _split(ids.reshape(-1).astype(np.int64, copy=False), [len(p[0]) for p in parts])
        self.keys = [uniq[:, i].astype(np.int64) for i in range(len(self.sizes))]
        self.n = len(uniq)

    def _unpack(self, present: np.ndarray) -> list[np.ndarray]:
        out: list[np.ndarray] = []
        rest = present.astype(np.int64, copy=True)
        for size in reversed(self.sizes[1:]):
            out.append(rest % size)
            rest //= size
        out.append(rest)
        out.reverse()
        return out

    def _bincount(self, part: int, rows: np.ndarray | None, values: np.ndarray | None) -> np.ndarray:
        if self._direct is not None:
            assert self._present is not None
            at = self._direct[part] if rows is None else self._direct[part][rows]
            return np.bincount(at, weights=values, minlength=self.space)[self._present]
        assert self._ids is not None
        at = self._ids[part] if rows is None else self._ids[part][rows]
        return np.bincount(at, weights=values, minlength=self.n)

    def count(self, part: int) -> np.ndarray:
        """Rows of input ``part`` per cell (int64)."""
        return self._bincount(part, None, None)

    def sum(self, part: int, values: np.ndarray) -> np.ndarray:
        """Per-cell sums of ``values`` over the rows of input ``part`` (float64)."""
        return self._bincount(part, None, values)

    def count_where(self, part: int, flag: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Rows of input ``part`` per cell where ``flag`` is set; ``rows`` is its :meth:`count`.

        Counts the rows that are set, or those that are not when they are fewer.
        """
        k = int(np.count_nonzero(flag))
        if k == 0:
            return np.zeros(self.n, dtype=np.int64)
        if k == len(flag):
            return rows.copy()
        if 2 * k > len(flag):
            return rows - self._bincount(part, ~flag, None)
        return self._bincount(part, flag, None)


def _split(a: np.ndarray, sizes: Sequence[int]) -> list[np.ndarray]:
    out = []
    start = 0
    for s in sizes:
        out.append(a[start : start + s])
        start += s
    return out


def timeline_order(agent: np.ndarray, ts: pl.Series, seq: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Row order by (agent code, time, seq), ties kept in input order, and the times in that order.

    Agent timelines arrive nearly in time order (a log is written as things
    happen), so a stable sort by agent code (a radix sort on small integers)
    leaves each agent's rows almost sorted, and a merge sort on the packed
    (agent, time) value finishes the job in close to linear time. Rows are put
    in ``seq`` order first when they are not already, so that equal times keep
    it. When the packed value would not fit (or anything is missing) the three
    columns are sorted directly.
    """
    n = len(agent)
    if n == 0:
        return pl.Series(values=[], dtype=pl.UInt32), ts.clear()
    t = ts.to_physical()
    if t.null_count() == 0 and seq.null_count() == 0:
        tv = t.to_numpy()
        lo = int(tv.min())
        bits = (int(tv.max()) - lo).bit_length()
        a_max = int(agent.max())
        if (a_max + 1) << bits < _MAX_SPACE:
            first = None if seq.is_sorted() else np.argsort(seq.to_numpy(), kind="stable")
            a = agent if first is None else agent[first]
            order = np.argsort(a.astype(np.uint16) if a_max < (1 << 16) else a, kind="stable")
            # key = agent << bits | (time - lo), built in one array.
            key = a.astype(np.int64)
            key <<= bits
            key += tv if first is None else tv[first]
            key -= lo
            k = key[order]
            del key
            if len(k) > 1 and not bool(np.all(k[1:] >= k[:-1])):
                again = np.argsort(k, kind="stable")
                order = order[again]
                k = k[again]
            if first is not None:
                order = first[order]
            k &= (1 << bits) - 1
            k += lo
            times = pl.Series(ts.name, k, dtype=pl.Int64).cast(ts.dtype)
            index = order.astype(np.uint32) if n < (1 << 32) else order
            return pl.Series(index), times
    frame = pl.DataFrame({"a": pl.Series(agent, dtype=pl.Int64), "t": t, "s": seq})
    by_columns = frame.select(pl.arg_sort_by("a", "t", "s", maintain_order=True)).to_series()
    return by_columns, ts.gather(by_columns)
