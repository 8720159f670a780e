"""Customer suggestions: received -> sent to a department -> adopted / rejected / held -> the customer
told each time -> closed; the 60-day decision clock; committee grades and rewards; yearly certificates."""

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.core.clock import frozen_at
from aftersales.core.errors import PermissionRefused, TransitionRefused, ValidationFailed
from aftersales.core.history import history_of
from aftersales.core.models import Notification
from aftersales.service.models import SlaClock
from aftersales.suggestions import services as ss
from aftersales.suggestions.models import Certificate, Department, Subject, Suggestion, SuggestionContact
from aftersales.suggestions.selectors import certificate_candidates

SH = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def customer(make_customer):
    return make_customer(name="王芳")


@pytest.fixture
def department(db, make_user):
    head = make_user("manager", "rnd_head")
    dep = Department.objects.get(code="rnd")
    dep.head = head
    dep.save()
    return dep


@pytest.fixture
def suggest(customer, agent):
    def make(when=T0, channel="letter", subject="after_sales", text="建议增加晚间上门服务时段", who=None):
        with frozen_at(when):
            return ss.register_suggestion(
                data=ss.SuggestionInput(
                    customer_id=(who or customer).pk, channel=channel, subject=subject, description=text
                ),
                actor=agent,
            ).request

    return make


@pytest.fixture
def forwarded(suggest, department, agent):
    sr = suggest()
    with frozen_at(T0 + dt.timedelta(days=1)):
        return ss.forward_suggestion(
            request=sr, department_id=department.pk, actor=agent, note="请研发部评估"
        )


def test_the_eight_subjects():
    assert len(Subject.values) == 8
    assert {
        "shopping_environment",
        "product_quality",
        "design",
        "new_technology",
        "new_materials",
        "logistics",
        "after_sales",
        "other",
    } == set(Subject.values)


def test_received_suggestion_starts_its_60_day_decision_clock(suggest):
    sr = suggest()
    assert sr.status == "new" and sr.type == "suggestion"
    assert Suggestion.objects.get(request=sr).subject == "after_sales"
    clock = SlaClock.objects.get(request=sr, code="suggestion_decided")
    assert clock.due_at == T0 + dt.timedelta(days=60)
    assert ss.decision_deadline(sr) == T0 + dt.timedelta(days=60)


@pytest.mark.parametrize("channel", ["email", "letter", "phone", "web"])
def test_received_by_email_letter_phone_or_portal(suggest, channel):
    assert suggest(channel=channel).channel == channel


def test_other_channels_and_subjects_are_refused(suggest):
    with pytest.raises(ValidationFailed) as exc:
        suggest(channel="visit")
    assert exc.value.field == "channel"
    with pytest.raises(ValidationFailed) as exc:
        suggest(subject="weather")
    assert exc.value.field == "subject"


def test_forwarding_sends_it_to_the_department_and_tells_its_head(forwarded, department):
    assert forwarded.status == "forwarded"
    detail = Suggestion.objects.get(request=forwarded)
    assert detail.department == department and detail.forwarded_at is not None
    note = Notification.objects.get(recipient=department.head, kind="suggestion_forwarded")
    assert forwarded.number in note.subject


def test_adopted_with_implementation_date_and_measures_meets_the_clock(forwarded, manager):
    with pytest.raises(ValidationFailed) as exc:
        ss.adopt_suggestion(
            request=forwarded, implementation_date=dt.date(2026, 5, 1), measures=" ", actor=manager
        )
    assert exc.value.field == "measures"
    with pytest.raises(ValidationFailed) as exc:
        ss.adopt_suggestion(
            request=forwarded, implementation_date=dt.date(2026, 1, 1), measures="增加晚班", actor=manager
        )
    assert exc.value.field == "implementation_date"
    with frozen_at(at(2026, 3, 20, 9)):
        sr = ss.adopt_suggestion(
            request=forwarded,
            implementation_date=dt.date(2026, 5, 1),
            measures="自5月起增加18:00-21:00上门时段",
            actor=manager,
        )
    assert sr.status == "adopted"
    detail = Suggestion.objects.get(request=sr)
    assert detail.implementation_date == dt.date(2026, 5, 1) and detail.decided_by == manager
    clock = SlaClock.objects.get(request=sr, code="suggestion_decided")
    assert clock.met_at == at(2026, 3, 20, 9) and clock.state == "met"


def test_rejected_needs_the_thanks(forwarded, manager):
    with pytest.raises(ValidationFailed) as exc:
        ss.reject_suggestion(request=forwarded, thanks="", actor=manager)
    assert exc.value.field == "thanks"
    sr = ss.reject_suggestion(request=forwarded, thanks="感谢您的建议，目前暂不具备条件。", actor=manager)
    assert sr.status == "rejected"
    assert Suggestion.objects.get(request=sr).thanks.startswith("感谢")


def test_only_managers_decide(forwarded, agent):
    with pytest.raises(PermissionRefused):
        ss.reject_suggestion(request=forwarded, thanks="谢谢", actor=agent)


def test_held_with_a_reason_never_past_60_days_from_receipt(forwarded, manager):
    with frozen_at(at(2026, 3, 10, 9)):
        with pytest.raises(TransitionRefused) as exc:
            ss.hold_suggestion(request=forwarded, reason=" ", held_until=None, actor=manager)
        assert exc.value.code == "reason_required"
        with pytest.raises(ValidationFailed) as exc:
            ss.hold_suggestion(
                request=forwarded, reason="待下季度预算", held_until=dt.date(2026, 5, 2), actor=manager
            )
        assert exc.value.code == "hold_too_long"
        sr = ss.hold_suggestion(
            request=forwarded, reason="待下季度预算", held_until=dt.date(2026, 5, 1), actor=manager
        )
    assert sr.status == "held"
    assert Suggestion.objects.get(request=sr).held_until == dt.date(2026, 5, 1)
    # Holding is not a decision: the clock keeps running.
    assert SlaClock.objects.get(request=sr, code="suggestion_decided").met_at is None


def test_no_hold_once_the_decision_is_overdue(forwarded, manager):
    with frozen_at(at(2026, 5, 2, 9)), pytest.raises(TransitionRefused) as exc:
        ss.hold_suggestion(request=forwarded, reason="再等等", held_until=None, actor=manager)
    assert exc.value.code == "decision_overdue"


def test_hold_defaults_to_the_deadline(forwarded, manager):
    with frozen_at(at(2026, 3, 10, 9)):
        sr = ss.hold_suggestion(request=forwarded, reason="需要调研", held_until=None, actor=manager)
    assert Suggestion.objects.get(request=sr).held_until == dt.date(2026, 5, 1)


def test_the_decision_days_are_a_setting_when_no_clock_runs(forwarded, manager, settings):
    settings.AFTERSALES = {**settings.AFTERSALES, "SUGGESTION_DECISION_DAYS": 30}
    SlaClock.objects.filter(request=forwarded).delete()
    assert ss.decision_deadline(forwarded) == T0 + dt.timedelta(days=30)
    with frozen_at(at(2026, 3, 10, 9)), pytest.raises(ValidationFailed):
        ss.hold_suggestion(request=forwarded, reason="调研", held_until=dt.date(2026, 4, 2), actor=manager)


def test_customer_is_told_of_every_decision_before_closing(forwarded, manager, agent):
    with frozen_at(at(2026, 3, 10, 9)):
        sr = ss.hold_suggestion(request=forwarded, reason="待评估", held_until=None, actor=manager)
    with pytest.raises(TransitionRefused) as exc:
        ss.close_suggestion(request=sr, actor=agent)  # a held suggestion is not decided
    assert exc.value.code == "transition_not_allowed"
    ss.tell_customer(request=sr, channel="phone", note="您的建议已转研发部，需评估后答复", actor=agent)
    sr = ss.adopt_suggestion(
        request=sr, implementation_date=dt.date(2026, 6, 1), measures="开通晚间服务", actor=manager
    )
    # Told of the hold, not yet of the adoption.
    with pytest.raises(TransitionRefused) as exc:
        ss.close_suggestion(request=sr, actor=agent)
    assert exc.value.code == "customer_not_told"
    ss.tell_customer(request=sr, channel="letter", note="您的建议已被采纳，将于6月1日实施", actor=agent)
    sr = ss.close_suggestion(request=sr, actor=agent)
    assert sr.status == "closed"
    told = list(SuggestionContact.objects.filter(suggestion__request=sr).values_list("status", "channel"))
    assert told == [("held", "phone"), ("adopted", "letter")]
    events = [h.event for h in history_of(sr)]
    assert events.count("customer_told") == 2


def test_nothing_to_tell_before_a_decision(forwarded, agent):
    with pytest.raises(TransitionRefused) as exc:
        ss.tell_customer(request=forwarded, channel="phone", note="已收到", actor=agent)
    assert exc.value.code == "nothing_to_tell"


def test_a_rejected_suggestion_closes_after_the_thanks_are_told(forwarded, manager, agent):
    sr = ss.reject_suggestion(request=forwarded, thanks="感谢您的建议", actor=manager)
    with pytest.raises(TransitionRefused):
        ss.close_suggestion(request=sr, actor=agent)
    ss.tell_customer(request=sr, channel="email", note="感谢您的建议", actor=agent)
    assert ss.close_suggestion(request=sr, actor=agent).status == "closed"


def test_committee_grade_sets_the_reward(forwarded, manager, agent):
    with pytest.raises(TransitionRefused):
        ss.grade_suggestion(request=forwarded, creativity=5, feasibility=5, benefit=5, actor=manager)
    sr = ss.adopt_suggestion(
        request=forwarded, implementation_date=dt.date(2026, 6, 1), measures="实施", actor=manager
    )
    with pytest.raises(PermissionRefused):
        ss.grade_suggestion(request=sr, creativity=5, feasibility=5, benefit=5, actor=agent)
    with pytest.raises(ValidationFailed) as exc:
        ss.grade_suggestion(request=sr, creativity=6, feasibility=5, benefit=5, actor=manager)
    assert exc.value.field == "creativity"
    detail = ss.grade_suggestion(
        request=sr, creativity=4, feasibility=4, benefit=3, actor=manager, note="可行"
    )
    assert detail.score == 11 and detail.grade.code == "first" and detail.reward == Decimal("500.00")
    detail = ss.grade_suggestion(request=sr, creativity=5, feasibility=4, benefit=4, actor=manager)
    assert detail.grade.code == "special" and detail.reward == Decimal("1000.00")
    graded = [h.data for h in history_of(sr) if h.event == "graded"]
    assert graded[-1]["old"]["grade"] == "first"


def test_certificate_for_customers_with_at_least_n_suggestions_in_the_year(
    suggest, make_customer, manager, agent, settings
):
    settings.AFTERSALES = {**settings.AFTERSALES, "SUGGESTION_CERTIFICATE_MIN": 2}
    busy = make_customer(name="赵磊")
    once = make_customer(name="钱多")
    suggest(who=busy, when=at(2026, 1, 3, 9), text="建议一")
    suggest(who=busy, when=at(2026, 7, 3, 9), text="建议二")  # none adopted: still thanked
    suggest(who=busy, when=at(2025, 12, 31, 23), text="去年的建议")
    suggest(who=once, when=at(2026, 2, 3, 9), text="建议三")
    cancelled = suggest(who=once, when=at(2026, 2, 4, 9), text="重复")
    from aftersales.suggestions.services import cancel_suggestion

    cancel_suggestion(request=cancelled, actor=agent, note="重复登记")
    with frozen_at(at(2026, 12, 31, 12)):
        eligible = certificate_candidates(2026)
        assert [(e.name, e.suggestions, e.adopted) for e in eligible] == [("赵磊", 2, 0)]
        issued = ss.issue_certificates(year=2026, actor=manager)
        assert [(c.customer, c.suggestion_count) for c in issued] == [(busy, 2)]
        assert issued[0].number == "CT2026-0001"
        assert ss.issue_certificates(year=2026, actor=manager) == []  # idempotent
        with pytest.raises(ValidationFailed):
            ss.issue_certificates(year=2027, actor=manager)
        with pytest.raises(PermissionRefused):
            ss.issue_certificates(year=2026, actor=agent)
    assert Certificate.objects.count() == 1


def test_every_step_is_in_the_history_with_who(forwarded, manager, agent):
    sr = ss.reject_suggestion(request=forwarded, thanks="谢谢", actor=manager)
    rows = [
        (h.event, h.old_state, h.new_state, h.actor.username if h.actor else None) for h in history_of(sr)
    ]
    assert ("transition", "new", "forwarded", agent.username) in rows
    assert ("transition", "forwarded", "rejected", manager.username) in rows
