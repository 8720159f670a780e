"""Call-center analytics engine: pure Python + Polars, no Django.

- ``records``: the column layout of call records and agent state events.
- ``queue_log``: Asterisk ``queue_log`` (raw pipe-delimited file and the realtime
  table layout) into call records, open calls and agent state events.
- ``call_csv``: the documented one-row-per-call CSV into call records.
- ``agents``: agent state timelines (logged in, paused, after-call work, scheduled).
- ``rollup``: additive interval counters per half hour, hour, day, week, month and
  per agent, queue and the whole center.
- ``grouping``: grouped sums over small integer keys and the agent timeline sort
  order that the rollups and timelines are built on.
- ``metrics``: the 23 metric definitions, their formulas, ranges and status.
- ``advice``: the regulation's likely causes and actions when a metric is out of range.
- ``erlang``: Erlang B / C / A staffing, numerically stable for large centers.
- ``forecast``: a day's volume forecast from history and its staffing curve.

Django code loads and stores; everything that computes lives here and is tested
without a database.
"""

import os
import sys

# Polars allocates through jemalloc, which by default keeps freed pages for 10 s, spread over
# several arenas. An import of millions of lines frees and reallocates a chunk's worth of
# memory every fraction of a second. One shared arena whose freed pages are returned after a
# second reuses that memory while it is still mapped (page faults cost about a quarter of the
# CPU of an import when every block comes fresh from the kernel) and keeps the peak close to
# the live data. It only takes effect when set before Polars is first loaded, and a value set
# by the operator wins.
if "polars" not in sys.modules:
    os.environ.setdefault("_RJEM_MALLOC_CONF", "narenas:1,dirty_decay_ms:1000,muzzy_decay_ms:0")
