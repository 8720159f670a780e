"""Two workers sweeping at the same moment raise each escalation once (PostgreSQL, real threads)."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection

from aftersales.core.clock import frozen_at
from aftersales.core.models import Notification
from aftersales.service.models import Escalation, SlaClock, SlaPolicy
from aftersales.service.sla_services import handle_due_clocks

pytestmark = pytest.mark.skipif(not settings.IS_POSTGRES, reason="SKIP LOCKED needs PostgreSQL")
SH = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_raise_each_escalation_once(make_customer, make_unit, make_request, make_user):
    # A policy of the test's own (calendar time, so no business calendar is involved): the most
    # specific row for these requests whatever earlier tests left in the process.
    SlaPolicy.objects.create(
        name="test first contact 30 min",
        clock="first_contact",
        request_type="repair",
        priority="normal",
        target_minutes=30,
        basis="calendar",
    )
    agent = make_user("agent")
    make_user("dispatcher")
    received = dt.datetime(2026, 11, 24, 9, 0, tzinfo=SH)
    for _ in range(30):
        customer = make_customer()
        with frozen_at(received):
            make_request(customer, make_unit(customer), actor=agent, received_at=received)
    assert SlaClock.objects.filter(code="first_contact", basis="calendar").count() == 30
    barrier = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            barrier.wait()
            with frozen_at(received + dt.timedelta(hours=1)):
                handle_due_clocks()
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # 30 first-contact clocks at 200 %: levels 1, 2 and 3 each exactly once.
    assert Escalation.objects.filter(clock__code="first_contact").count() == 90
    assert Notification.objects.filter(kind="sla_warning").count() == 30
