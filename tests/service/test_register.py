"""Registering requests: numbers, owner, received time, duplicates, first-contact resolution."""

import datetime as dt

import pytest

from aftersales.core.clock import frozen_at
from aftersales.core.errors import ValidationFailed
from aftersales.core.history import history_of
from aftersales.service.models import ServiceRequest

SH = dt.timezone(dt.timedelta(hours=8))


def test_numbers_are_sequential_per_local_day(make_customer, make_unit, make_request):
    customer = make_customer()
    with frozen_at(dt.datetime(2026, 11, 22, 9, 0, tzinfo=SH)):
        first = make_request(customer, make_unit(customer)).request
        second = make_request(customer, make_unit(customer)).request
    # 23:30 in Shanghai is still the 22nd locally although it is 15:30 UTC of the same day;
    # 00:30 on the 23rd in Shanghai is the 22nd in UTC but starts a new local day.
    with frozen_at(dt.datetime(2026, 11, 22, 23, 30, tzinfo=SH)):
        third = make_request(customer, make_unit(customer)).request
    with frozen_at(dt.datetime(2026, 11, 23, 0, 30, tzinfo=SH)):
        next_day = make_request(customer, make_unit(customer)).request
    assert [first.number, second.number, third.number] == [
        "SR20261122-0001",
        "SR20261122-0002",
        "SR20261122-0003",
    ]
    assert next_day.number == "SR20261123-0001"


def test_the_ten_thousandth_number_of_a_day_grows_a_digit_and_stays_in_the_row(
    make_customer, make_unit, make_request
):
    from aftersales.core.models import DailySequence

    customer = make_customer()
    DailySequence.objects.create(scope="SR", day=dt.date(2026, 11, 22), last=9998)
    with frozen_at(dt.datetime(2026, 11, 22, 9, 0, tzinfo=SH)):
        a = make_request(customer, make_unit(customer)).request
        b = make_request(customer, make_unit(customer)).request
    assert (a.number, b.number) == ("SR20261122-9999", "SR20261122-10000")
    assert ServiceRequest.objects.get(pk=b.pk).number == "SR20261122-10000"


def test_registering_agent_owns_the_request(make_customer, make_unit, make_request, agent):
    customer = make_customer()
    reg = make_request(customer, make_unit(customer))
    assert reg.request.owner == agent
    entry = history_of(reg.request).get()
    assert entry.event == "registered" and entry.actor == agent and entry.new_state == "new"


def test_received_at_may_be_earlier_than_registration(make_customer, make_request):
    now = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)
    letter_day = dt.datetime(2026, 11, 21, 16, 0, tzinfo=SH)
    with frozen_at(now):
        sr = make_request(make_customer(), type="feedback", channel="letter", received_at=letter_day).request
    assert sr.received_at == letter_day and sr.registered_at == now


def test_received_at_in_the_future_is_refused(make_customer, make_request):
    with frozen_at(dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)), pytest.raises(ValidationFailed) as err:
        make_request(
            make_customer(), type="consultation", received_at=dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)
        )
    assert err.value.field == "received_at"
    assert ServiceRequest.objects.count() == 0


def test_repair_needs_the_unit(make_customer, make_request):
    with pytest.raises(ValidationFailed) as err:
        make_request(make_customer(), type="repair")
    assert err.value.code == "unit_required"


def test_unit_of_another_customer_is_refused(make_customer, make_unit, make_request):
    other_unit = make_unit(make_customer(name="甲"))
    with pytest.raises(ValidationFailed) as err:
        make_request(make_customer(name="乙"), other_unit)
    assert err.value.code == "unit_of_other_customer"


def test_second_contact_about_the_same_unit_returns_the_open_request(make_customer, make_unit, make_request):
    customer = make_customer()
    unit = make_unit(customer)
    first = make_request(customer, unit)
    again = make_request(customer, unit, description="客户再次来电催修")
    assert again.repeat is True and first.repeat is False
    assert again.request.pk == first.request.pk
    assert again.request.repeat_contacts == 1
    assert ServiceRequest.objects.count() == 1
    assert [h.event for h in history_of(first.request)] == ["registered", "repeat_contact"]


def test_different_type_for_the_same_unit_is_a_new_request(make_customer, make_unit, make_request):
    customer = make_customer()
    unit = make_unit(customer)
    make_request(customer, unit, type="repair")
    other = make_request(customer, unit, type="maintenance")
    assert other.repeat is False
    assert ServiceRequest.objects.count() == 2


def test_after_cancellation_the_same_unit_gets_a_new_request(make_customer, make_unit, make_request, agent):
    from aftersales.service.services import cancel_request

    customer = make_customer()
    unit = make_unit(customer)
    first = make_request(customer, unit).request
    cancel_request(request=first, actor=agent, note="客户取消")
    second = make_request(customer, unit)
    assert second.repeat is False and second.request.pk != first.pk


def test_consultation_answered_on_first_contact_counts_as_first_contact_resolution(
    make_customer, make_request
):
    sr = make_request(
        make_customer(), type="consultation", description="保修期多久", answer="整机一年"
    ).request
    assert sr.status == "answered"
    assert sr.first_contact_resolution is True
    assert sr.is_open is False


def test_consultation_answered_later_is_not_first_contact_resolution(make_customer, make_request, agent):
    from aftersales.service.services import answer_consultation

    sr = make_request(make_customer(), type="consultation", description="保修期多久").request
    sr = answer_consultation(request=sr, answer="整机一年", actor=agent)
    assert sr.status == "answered" and sr.first_contact_resolution is False


def test_warranty_decision_is_stored_at_intake(make_customer, make_unit, make_request):
    customer = make_customer()
    with frozen_at(dt.datetime(2026, 11, 22, 9, 0, tzinfo=SH)):
        sr = make_request(customer, make_unit(customer, purchase_date=dt.date(2024, 1, 1))).request
    assert sr.warranty_status == "out_of_warranty"
    assert sr.warranty_reason


def test_customer_registering_online_gets_an_agent_as_owner(make_customer, make_unit, make_user, agent):
    from aftersales.service.services import RequestInput, register_request

    customer = make_customer()
    portal_user = make_user("customer")
    customer.portal_user = portal_user
    customer.save()
    unit = make_unit(customer)
    reg = register_request(
        data=RequestInput(
            type="repair", channel="web", customer_id=customer.pk, unit_id=unit.pk, description="不制冷"
        ),
        actor=portal_user,
    )
    assert reg.request.owner == agent
