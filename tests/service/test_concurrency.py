"""Two people at the same moment: numbers never repeat, a unit never gets two open requests,
and a transition has exactly one winner. Real threads on the real database (PostgreSQL)."""

import threading

import pytest
from django.conf import settings
from django.db import connection

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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_registrations_get_twenty_distinct_numbers(make_customer, make_request):
    customer = make_customer()
    results, errors = run_at_once(
        20, lambda i: make_request(customer, type="consultation", description=f"咨询 {i}").request.number
    )
    assert errors == []
    assert len(set(results)) == 20
    assert sorted(int(n.rsplit("-", 1)[1]) for n in results) == list(range(1, 21))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_agents_registering_the_same_unit_at_once_give_one_request(
    make_customer, make_unit, make_request, make_user
):
    customer = make_customer()
    unit = make_unit(customer)
    agents = [make_user("agent"), make_user("agent")]
    results, errors = run_at_once(2, lambda i: make_request(customer, unit, actor=agents[i]))
    assert errors == []
    assert ServiceRequest.objects.filter(unit=unit).count() == 1
    assert sorted(r.repeat for r in results) == [False, True]
    assert results[0].request.pk == results[1].request.pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_dispatchers_acting_at_once_one_wins(make_customer, make_unit, make_request, make_user):
    from aftersales.core.errors import StaleState, TransitionRefused
    from aftersales.service.services import assign_request

    customer = make_customer()
    sr = make_request(customer, make_unit(customer)).request
    dispatchers = [make_user("dispatcher"), make_user("dispatcher")]
    techs = [make_user("technician"), make_user("technician")]
    results, errors = run_at_once(
        2,
        lambda i: assign_request(
            request=ServiceRequest.objects.get(pk=sr.pk), assignee_id=techs[i].pk, actor=dispatchers[i]
        ),
    )
    assert len(errors) == 1 and isinstance(errors[0], StaleState | TransitionRefused)
    sr.refresh_from_db()
    assert sr.status == "assigned" and sr.assignee_id in {t.pk for t in techs}
