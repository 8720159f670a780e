"""Two dispatchers at the same moment: one assignment wins, the other gets 409. Real threads, PostgreSQL."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from aftersales.dispatch.models import WorkOrder
from aftersales.service.models import ServiceRequest

pytestmark = pytest.mark.skipif(not settings.IS_POSTGRES, reason="row-level concurrency needs PostgreSQL")


def run_at_once(n, fn):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def worker(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.fixture
def certified_pair(make_technician):
    # The threads run on the real clock, so the certificates cover any day the suite may run on.
    return [
        make_technician(issued_on=dt.date(2020, 1, 1), expires_on=dt.date(2099, 12, 31)) for _ in range(2)
    ]


# Serialized rollback brings back the rows of data migrations (SLA policies, roles) that the
# flush after a transactional test removes, under the same ids that caches may hold.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_dispatchers_assigning_at_once_one_gets_409(repair, certified_pair, make_user):
    dispatchers = [make_user("dispatcher"), make_user("dispatcher")]
    clients = []
    for d in dispatchers:
        client = Client()
        client.force_login(d)
        clients.append(client)
    url = f"/api/v1/dispatch/requests/{repair.number}/assign"

    results, errors = run_at_once(
        2,
        lambda i: (
            clients[i]
            .post(url, {"technician_id": certified_pair[i].pk}, content_type="application/json")
            .status_code
        ),
    )
    assert errors == []
    assert sorted(results) == [201, 409]
    assert WorkOrder.objects.filter(request=repair).count() == 1
    winner = WorkOrder.objects.get(request=repair)
    request = ServiceRequest.objects.get(pk=repair.pk)
    assert request.status == "assigned" and request.assignee_id == winner.technician.user_id


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_dispatchers_calling_the_service_at_once_leave_one_active_work_order(
    repair, certified_pair, make_user
):
    from aftersales.core.errors import StaleState, TransitionRefused
    from aftersales.dispatch.services import assign_work_order

    dispatchers = [make_user("dispatcher"), make_user("dispatcher")]
    results, errors = run_at_once(
        2,
        lambda i: assign_work_order(
            request=ServiceRequest.objects.get(pk=repair.pk),
            technician=certified_pair[i],
            actor=dispatchers[i],
        ),
    )
    assert len(errors) == 1 and isinstance(errors[0], StaleState | TransitionRefused)
    assert WorkOrder.objects.filter(request=repair, is_active=True).count() == 1
