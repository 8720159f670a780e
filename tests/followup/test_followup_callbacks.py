"""Creating callbacks: one open task per request and kind, about a request or an installed project,
on the list of the agent who registered the request (or the least-loaded agent)."""

import pytest
from followup_support import at, reload

from aftersales.core.errors import PermissionRefused, TransitionRefused, ValidationFailed
from aftersales.core.history import history_of
from aftersales.followup.models import Callback
from aftersales.followup.services import assign_callback, complete_callback, create_callback

DUE = at(2026, 11, 26, 9)


def test_create_callback_is_idempotent_while_open(callback, resolved_repair, dispatcher):
    again = create_callback(request=resolved_repair, kind="after_job", due_at=DUE, actor=dispatcher)
    assert again.pk == callback.pk
    assert Callback.objects.count() == 1
    assert [h.event for h in history_of(callback)] == ["callback_created"]


def test_a_callback_takes_the_customer_and_unit_of_its_request(callback, resolved_repair):
    assert callback.customer_id == resolved_repair.customer_id
    assert callback.unit_id == resolved_repair.unit_id
    assert callback.status == "open" and callback.attempt_count == 0


def test_the_agent_who_registered_the_request_gets_the_callback(callback, agent):
    assert callback.agent == agent


def test_without_an_agent_owner_the_least_loaded_agent_gets_it(
    make_user, make_customer, make_unit, make_request, dispatcher, agent
):
    busy = agent
    idle = make_user("agent", "agent_idle")
    customer = make_customer()
    # Registered by a dispatcher: the owner is no agent.
    sr = make_request(customer, make_unit(customer), actor=dispatcher).request
    create_callback(
        request=make_request(customer, make_unit(customer)).request, kind="after_job", due_at=DUE, actor=busy
    )
    cb = create_callback(request=sr, kind="after_job", due_at=DUE, actor=dispatcher)
    assert cb.agent == idle


def test_unknown_callback_kind_is_refused(resolved_repair, dispatcher):
    with pytest.raises(ValidationFailed):
        create_callback(request=resolved_repair, kind="survey", due_at=DUE, actor=dispatcher)


def test_a_callback_about_nothing_is_refused(dispatcher):
    with pytest.raises(ValidationFailed) as err:
        create_callback(kind="scheduled", due_at=DUE, actor=dispatcher)
    assert err.value.code == "subject_required"


def test_a_new_callback_may_be_opened_once_the_first_is_done(callback, resolved_repair, agent, dispatcher):
    complete_callback(callback=callback, outcome="满意", result="none", actor=agent)
    second = create_callback(request=resolved_repair, kind="after_job", due_at=DUE, actor=dispatcher)
    assert second.pk != callback.pk


def test_a_manager_puts_a_callback_on_another_agents_list(callback, manager, make_user):
    other = make_user("agent", "agent_b")
    assign_callback(callback=callback, agent_id=other.pk, actor=manager)
    assert reload(callback).agent == other
    assert history_of(callback).filter(event="callback_assigned").count() == 1


def test_an_agent_takes_a_callback_but_cannot_hand_it_to_someone_else(callback, make_user):
    other = make_user("agent", "agent_b")
    third = make_user("agent", "agent_c")
    assign_callback(callback=callback, agent_id=other.pk, actor=other)
    assert reload(callback).agent == other
    with pytest.raises(PermissionRefused):
        assign_callback(callback=callback, agent_id=third.pk, actor=other)


def test_a_callback_goes_only_to_customer_service_staff(callback, manager, technician):
    with pytest.raises(ValidationFailed) as err:
        assign_callback(callback=callback, agent_id=technician.pk, actor=manager)
    assert err.value.code == "unknown_agent"


def test_a_processed_callback_cannot_be_reassigned(callback, agent, manager):
    complete_callback(callback=callback, outcome="满意", result="close", actor=agent)
    with pytest.raises(TransitionRefused):
        assign_callback(callback=callback, agent_id=agent.pk, actor=manager)
