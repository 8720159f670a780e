"""Fixtures for the call-center tests: the shared real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from cc_factories import QUEUE_LOG, TABLE_EXPORT


@pytest.fixture
def queue_log_path() -> Path:
    if not QUEUE_LOG.exists():
        pytest.skip("shared call-center data not present")
    return QUEUE_LOG


@pytest.fixture
def table_export_path() -> Path:
    if not TABLE_EXPORT.exists():
        pytest.skip("shared call-center data not present")
    return TABLE_EXPORT
