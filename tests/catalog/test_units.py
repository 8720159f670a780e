"""Units: registration rules and the warranty decision shown with the unit."""

import datetime as dt

import pytest
from django.utils import translation

from aftersales.catalog.selectors import warranty_payload
from aftersales.core.clock import frozen_at
from aftersales.core.errors import ValidationFailed

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_serial_number_is_unique(make_customer, make_unit):
    customer = make_customer()
    make_unit(customer, serial_number="SN-1")
    with pytest.raises(ValidationFailed) as err:
        make_unit(customer, serial_number="SN-1")
    assert err.value.code == "serial_taken"


def test_purchase_date_in_the_future_is_refused(make_customer, make_unit):
    with frozen_at(dt.datetime(2026, 11, 22, 10, tzinfo=SHANGHAI)), pytest.raises(ValidationFailed) as err:
        make_unit(make_customer(), purchase_date=dt.date(2026, 11, 23))
    assert err.value.field == "purchase_date"


def test_warranty_reason_is_given_in_words(make_customer, make_unit):
    unit = make_unit(make_customer(), purchase_date=dt.date(2025, 11, 22))
    with frozen_at(dt.datetime(2026, 11, 22, 10, tzinfo=SHANGHAI)), translation.override("zh-hans"):
        payload = warranty_payload(unit)
    assert payload["status"] == "in_warranty"
    assert "2026-11-22" in payload["reason"] and "免费" in payload["reason"]
    with frozen_at(dt.datetime(2026, 11, 23, 10, tzinfo=SHANGHAI)), translation.override("en"):
        payload = warranty_payload(unit)
    assert payload["status"] == "out_of_warranty"
    assert "fee schedule" in payload["reason"]
