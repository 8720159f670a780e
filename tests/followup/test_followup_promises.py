"""A question that cannot be answered on the call gets an agreed time for the answer: a clock that the
worker escalates (notifying whoever owes the answer and the managers) when it passes unanswered."""

import datetime as dt

import pytest
from followup_support import START, reload

from aftersales.core.errors import TransitionRefused, ValidationFailed
from aftersales.core.models import Notification
from aftersales.followup import tasks
from aftersales.followup.services import answer_promise, promise_answer, record_attempt

H = dt.timedelta(hours=1)


@pytest.fixture
def on_the_line(callback, agent):
    record_attempt(callback=callback, outcome="reached", actor=agent)
    return reload(callback)


def test_a_promise_needs_the_customer_on_the_line(callback, agent):
    with pytest.raises(TransitionRefused) as err:
        promise_answer(callback=callback, question="保修期多久？", due_at=START + H, actor=agent)
    assert err.value.code == "customer_not_on_the_line"


def test_a_promise_records_the_question_the_agreed_time_and_who_owes_the_answer(
    on_the_line, agent, make_user
):
    expert = make_user("agent", "agent_expert")
    p = promise_answer(
        callback=on_the_line,
        question="压缩机保修几年？",
        due_at=START + 4 * H,
        owner_id=expert.pk,
        actor=agent,
    )
    assert (p.question, p.due_at, p.owner, p.status, p.created_by) == (
        "压缩机保修几年？",
        START + 4 * H,
        expert,
        "open",
        agent,
    )


def test_a_promise_needs_a_question_and_a_future_time(on_the_line, agent):
    with pytest.raises(ValidationFailed):
        promise_answer(callback=on_the_line, question=" ", due_at=START + H, actor=agent)
    with pytest.raises(ValidationFailed) as err:
        promise_answer(callback=on_the_line, question="费用？", due_at=None, actor=agent)
    assert err.value.code == "due_at_required"
    with pytest.raises(ValidationFailed) as err:
        promise_answer(callback=on_the_line, question="费用？", due_at=START - H, actor=agent)
    assert err.value.code == "due_at_in_past"


def test_answering_on_time_stops_the_clock_and_nothing_is_escalated(on_the_line, agent, clock):
    p = promise_answer(callback=on_the_line, question="费用？", due_at=START + 4 * H, actor=agent)
    clock.set(START + 3 * H)
    answered = answer_promise(promise=p, answer="保修期内免费", actor=agent)
    assert answered.status == "answered" and answered.answered_on_time is True
    clock.set(START + 5 * H)
    assert tasks.escalate_overdue_promises() == 0
    assert not Notification.objects.filter(kind="callback_promise_overdue").exists()


def test_an_answer_is_given_once(on_the_line, agent):
    p = promise_answer(callback=on_the_line, question="费用？", due_at=START + 4 * H, actor=agent)
    answer_promise(promise=p, answer="免费", actor=agent)
    with pytest.raises(TransitionRefused):
        answer_promise(promise=p, answer="免费", actor=agent)


def test_an_overdue_promise_is_escalated_once_to_its_owner_and_the_managers(
    on_the_line, agent, manager, clock
):
    p = promise_answer(callback=on_the_line, question="能否延保？", due_at=START + 4 * H, actor=agent)
    clock.set(START + 4 * H - dt.timedelta(minutes=1))
    assert tasks.escalate_overdue_promises() == 0
    clock.set(START + 4 * H)
    assert tasks.escalate_overdue_promises() == 1
    assert tasks.escalate_overdue_promises() == 0
    rows = Notification.objects.filter(kind="callback_promise_overdue", channel="in_app")
    assert {n.recipient for n in rows} == {agent, manager}
    assert reload(p).escalated_at == START + 4 * H


def test_a_late_answer_is_recorded_as_late(on_the_line, agent, clock):
    p = promise_answer(callback=on_the_line, question="能否延保？", due_at=START + H, actor=agent)
    clock.set(START + 2 * H)
    assert answer_promise(promise=p, answer="可以延保一年", actor=agent).answered_on_time is False
