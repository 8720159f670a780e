"""Outbound campaigns: call lists from a filter, the agent's next call, outcomes and retries, survey
answers on the call, requests registered from the call, and seat productivity against the norm."""

import datetime as dt

import pytest
from django.utils import translation

from aftersales.core.clock import frozen_at
from aftersales.core.errors import PermissionRefused, ValidationFailed
from aftersales.core.history import history_of
from aftersales.outbound import selectors as osel
from aftersales.outbound import services as os_
from aftersales.outbound.models import CallTarget, Dial, DialRequest
from aftersales.service.models import ServiceRequest
from aftersales.surveys.models import Response

SH = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 3, 9, 9, 0, tzinfo=SH)  # a Monday


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def agent2(make_user):
    return make_user("agent", "agent_b", first_name="周外呼")


@pytest.fixture
def campaign(manager, agent, agent2):
    with frozen_at(T0):
        return os_.create_campaign(
            data=os_.CampaignInput(
                name="三月关怀回访",
                goal="care",
                agent_ids=[agent.pk, agent2.pk],
                max_attempts=2,
                retry_minutes=60,
            ),
            actor=manager,
        )


@pytest.fixture
def customers(make_customer):
    return [make_customer(name=f"客户{i}") for i in range(3)]


@pytest.fixture
def listed(campaign, customers, manager):
    with frozen_at(T0):
        os_.build_call_list(campaign=campaign, filters=os_.CallListFilter(), actor=manager)
        return os_.start_campaign(campaign=campaign, actor=manager)


def finish(dial, outcome, actor, when, **extra):
    with frozen_at(when):
        return os_.finish_dial(dial=dial, result=os_.DialResult(outcome=outcome, **extra), actor=actor)


def next_for(campaign, agent, when):
    with frozen_at(when):
        return os_.next_dial(campaign=campaign, agent=agent)


# -- setting up --------------------------------------------------------------------------------------
def test_a_survey_campaign_needs_its_survey(manager, agent, survey):
    with pytest.raises(ValidationFailed) as exc:
        os_.create_campaign(
            data=os_.CampaignInput(name="满意度", goal="survey", agent_ids=[agent.pk]), actor=manager
        )
    assert exc.value.field == "survey_id"
    c = os_.create_campaign(
        data=os_.CampaignInput(name="满意度", goal="survey", survey_id=survey.pk, agent_ids=[agent.pk]),
        actor=manager,
    )
    assert c.survey == survey


def test_retry_rules_default_to_the_settings(manager, agent, settings):
    settings.AFTERSALES = {**settings.AFTERSALES, "OUTBOUND_MAX_ATTEMPTS": 5, "OUTBOUND_RETRY_MINUTES": 30}
    c = os_.create_campaign(
        data=os_.CampaignInput(name="营销", goal="marketing", agent_ids=[agent.pk]), actor=manager
    )
    assert (c.max_attempts, c.retry_minutes) == (5, 30)


def test_agents_do_not_set_up_campaigns(agent):
    with pytest.raises(PermissionRefused):
        os_.create_campaign(data=os_.CampaignInput(name="x", goal="care"), actor=agent)


def test_call_list_from_a_filter_over_customers_and_requests(
    campaign, make_customer, make_unit, make_request, manager, technician
):
    from aftersales.service import services as s

    repaired = make_customer(name="修好了")
    sr = make_request(repaired, make_unit(repaired)).request
    s.assign_request(request=sr, assignee_id=technician.pk, actor=manager)
    ServiceRequest.objects.filter(pk=sr.pk).update(status="resolved", resolved_at=at(2026, 3, 5, 12))
    still_open = make_customer(name="还在修")
    make_request(still_open, make_unit(still_open))
    make_customer(name="没有报修")
    result = os_.build_call_list(
        campaign=campaign,
        filters=os_.CallListFilter(
            request_types=["repair"], request_statuses=["resolved"], resolved_from=at(2026, 3, 1, 0)
        ),
        actor=manager,
    )
    assert (result.added, result.already_listed, result.without_phone) == (1, 0, 0)
    target = CallTarget.objects.get(campaign=campaign)
    assert target.customer == repaired and target.request_id == sr.pk
    # Building again adds nobody twice.
    again = os_.build_call_list(
        campaign=campaign, filters=os_.CallListFilter(request_types=["repair"]), actor=manager
    )
    assert again.added == 1 and again.already_listed == 1
    assert CallTarget.objects.filter(campaign=campaign).count() == 2
    assert len(campaign.__class__.objects.get(pk=campaign.pk).list_filters) == 2


def test_customers_without_a_phone_are_counted_not_listed(campaign, customers, manager):
    from aftersales.customers.models import CustomerPhone

    CustomerPhone.objects.filter(customer=customers[0]).delete()
    result = os_.build_call_list(campaign=campaign, filters=os_.CallListFilter(), actor=manager)
    assert result.added == 2 and result.without_phone == 1


def test_a_campaign_starts_with_agents_and_a_list(campaign, manager):
    with pytest.raises(ValidationFailed) as exc:
        os_.start_campaign(campaign=campaign, actor=manager)
    assert exc.value.code == "list_required"


# -- working through the list ------------------------------------------------------------------------
def test_each_agent_gets_their_own_customer_and_keeps_them_until_the_outcome(listed, agent, agent2):
    mine = next_for(listed, agent, T0)
    theirs = next_for(listed, agent2, T0)
    assert mine.target_id != theirs.target_id
    assert next_for(listed, agent, T0 + dt.timedelta(minutes=1)).pk == mine.pk
    assert CallTarget.objects.get(pk=mine.target_id).status == "calling"


def test_only_the_campaigns_agents_call(listed, make_user):
    outsider = make_user("agent", "agent_x")
    with pytest.raises(PermissionRefused):
        next_for(listed, outsider, T0)


def test_no_answer_is_retried_after_the_spacing_then_given_up(listed, agent):
    dial = next_for(listed, agent, T0)
    target_id = dial.target_id
    finish(dial, "no_answer", agent, T0 + dt.timedelta(minutes=1))
    t = CallTarget.objects.get(pk=target_id)
    assert (t.status, t.attempts, t.unanswered) == ("retry", 1, 1)
    assert t.next_attempt_at == T0 + dt.timedelta(minutes=61)
    # Not due yet: the agent is given the other customers first.
    others = []
    when = T0 + dt.timedelta(minutes=2)
    for _ in range(2):
        d = next_for(listed, agent, when)
        others.append(d.target_id)
        finish(d, "reached", agent, when, note="客户满意")
    assert target_id not in others
    assert next_for(listed, agent, T0 + dt.timedelta(minutes=30)) is None
    again = next_for(listed, agent, T0 + dt.timedelta(minutes=62))
    assert again.target_id == target_id
    finish(again, "busy", agent, T0 + dt.timedelta(minutes=63))
    t.refresh_from_db()
    assert (t.status, t.attempts, t.unanswered) == ("failed", 2, 2)  # max_attempts = 2
    assert next_for(listed, agent, T0 + dt.timedelta(days=1)) is None


def test_call_back_later_at_the_customers_time(listed, agent):
    dial = next_for(listed, agent, T0)
    with pytest.raises(ValidationFailed) as exc:
        finish(dial, "call_back_later", agent, T0 + dt.timedelta(minutes=1))
    assert exc.value.field == "callback_at"
    with pytest.raises(ValidationFailed):
        finish(dial, "call_back_later", agent, T0 + dt.timedelta(minutes=1), callback_at=T0)
    finish(dial, "call_back_later", agent, T0 + dt.timedelta(minutes=1), callback_at=at(2026, 3, 9, 18))
    t = CallTarget.objects.get(pk=dial.target_id)
    assert t.status == "retry" and t.next_attempt_at == at(2026, 3, 9, 18) and t.unanswered == 0
    # At 18:00 the customer who asked comes before the rest of the list.
    assert next_for(listed, agent, at(2026, 3, 9, 18, 1)).target_id == dial.target_id


def test_wrong_number_and_refusal_end_the_target(listed, agent):
    d1 = next_for(listed, agent, T0)
    finish(d1, "wrong_number", agent, T0)
    d2 = next_for(listed, agent, T0)
    finish(d2, "refused", agent, T0, note="不方便")
    assert CallTarget.objects.get(pk=d1.target_id).status == "failed"
    assert CallTarget.objects.get(pk=d2.target_id).status == "done"
    assert [h.data["outcome"] for h in history_of(CallTarget.objects.get(pk=d2.target_id))] == ["refused"]


def test_an_outcome_is_recorded_once(listed, agent):
    dial = next_for(listed, agent, T0)
    finish(dial, "reached", agent, T0)
    from aftersales.core.errors import StaleState

    with pytest.raises(StaleState):
        finish(dial, "busy", agent, T0)


def test_a_supervisor_releases_a_call_left_open(listed, agent, manager):
    dial = next_for(listed, agent, T0)
    os_.release_dial(dial=dial, actor=manager, reason="坐席离开")
    assert CallTarget.objects.get(pk=dial.target_id).status == "pending"
    assert Dial.objects.get(pk=dial.pk).outcome == ""
    assert next_for(listed, agent, T0).pk != dial.pk


# -- the survey on the call, and requests from the call ------------------------------------------
@pytest.fixture
def survey_campaign(survey, manager, agent, customers):
    with frozen_at(T0):
        c = os_.create_campaign(
            data=os_.CampaignInput(
                name="电话满意度调查", goal="survey", survey_id=survey.pk, agent_ids=[agent.pk]
            ),
            actor=manager,
        )
        os_.build_call_list(campaign=c, filters=os_.CallListFilter(), actor=manager)
        return os_.start_campaign(campaign=c, actor=manager)


def test_answers_read_out_on_the_call_become_a_phone_response(survey_campaign, agent, by_key, good_answers):
    dial = next_for(survey_campaign, agent, T0)
    with pytest.raises(ValidationFailed) as exc:
        finish(dial, "reached", agent, T0)  # a survey call that reached the customer records the answers
    assert exc.value.code == "answers_required"
    version = survey_campaign.survey.questionnaire.published_version()
    finish(dial, "reached", agent, T0, answers=by_key(version, good_answers))
    dial.refresh_from_db()
    response = Response.objects.get(pk=dial.response_id)
    assert response.channel == "phone" and response.entered_by == agent
    assert response.customer_id == dial.target.customer_id
    # That customer is left out of the next list built for the same survey.
    assert (
        os_.build_call_list(
            campaign=survey_campaign, filters=os_.CallListFilter(), actor=survey_campaign.created_by
        ).added
        == 0
    )


def test_answers_only_from_a_reached_customer(survey_campaign, agent, by_key, good_answers):
    dial = next_for(survey_campaign, agent, T0)
    version = survey_campaign.survey.questionnaire.published_version()
    with pytest.raises(ValidationFailed):
        finish(dial, "busy", agent, T0, answers=by_key(version, good_answers))
    assert not Response.objects.exists()


def test_a_complaint_heard_on_the_call_is_registered_in_one_step(listed, agent):
    dial = next_for(listed, agent, T0)
    with frozen_at(T0 + dt.timedelta(minutes=2)):
        reg = os_.register_from_dial(
            dial=dial, type="complaint", description="上次维修后又坏了，师傅态度差", actor=agent
        )
    sr = reg.request
    assert (sr.type, sr.channel, sr.customer_id, sr.owner) == (
        "complaint",
        "outbound",
        dial.target.customer_id,
        agent,
    )
    assert sr.contact_phone == dial.target.phone
    assert DialRequest.objects.get(request=sr).dial == dial
    assert any(h.event == "request_registered" for h in history_of(dial.target))


# -- seat productivity -------------------------------------------------------------------------------
def _dials(campaign, agent, day, total, successful):
    target = CallTarget.objects.filter(campaign=campaign).first()
    start = dt.datetime.combine(day, dt.time(9), tzinfo=SH)
    Dial.objects.bulk_create(
        [
            Dial(
                target=target,
                campaign=campaign,
                agent=agent,
                started_at=start + dt.timedelta(minutes=3 * i),
                ended_at=start + dt.timedelta(minutes=3 * i + 2),
                outcome="reached" if i < successful else "no_answer",
            )
            for i in range(total)
        ]
    )


def test_seat_days_are_judged_against_70_100_dials_and_60_80_successes(listed, agent, agent2):
    _dials(listed, agent, dt.date(2026, 3, 2), 65, 50)  # too little work
    _dials(listed, agent, dt.date(2026, 3, 3), 85, 70)  # within
    _dials(listed, agent2, dt.date(2026, 3, 3), 105, 85)  # too much: more seats
    _dials(listed, agent2, dt.date(2026, 3, 4), 90, 55)  # enough dials, too few successes
    with frozen_at(at(2026, 3, 5, 12)):
        days = osel.seat_days(date_from=dt.date(2026, 3, 2), date_to=dt.date(2026, 3, 5), campaign=listed)
    got = {(d.agent_id, d.day.isoformat()): (d.dials, d.successes, d.standing) for d in days}
    assert got == {
        (agent.pk, "2026-03-02"): (65, 50, "below"),
        (agent.pk, "2026-03-03"): (85, 70, "within"),
        (agent2.pk, "2026-03-03"): (105, 85, "above"),
        (agent2.pk, "2026-03-04"): (90, 55, "below"),
    }
    with translation.override("en"):
        hints = {d.standing: d.hint for d in days}
    assert "more calls" in hints["below"] and "more seats" in hints["above"]
    with translation.override("zh-hans"):
        hints = {d.standing: d.hint for d in days}
    assert "分配更多" in hints["below"] and "增加坐席" in hints["above"]


def test_today_is_not_judged_yet_and_the_norm_is_a_setting(listed, agent, settings):
    _dials(listed, agent, dt.date(2026, 3, 5), 20, 18)
    with frozen_at(at(2026, 3, 5, 12)):
        (today,) = osel.seat_days(date_from=dt.date(2026, 3, 5), date_to=dt.date(2026, 3, 5), campaign=listed)
    assert not today.complete and today.as_dict()["standing"] == "in_progress"
    settings.AFTERSALES = {**settings.AFTERSALES, "OUTBOUND_DIALS_MIN": 10, "OUTBOUND_SUCCESS_MIN": 15}
    with frozen_at(at(2026, 3, 6, 12)):
        (day,) = osel.seat_days(date_from=dt.date(2026, 3, 5), date_to=dt.date(2026, 3, 5), campaign=listed)
    assert day.standing == "within"


def test_campaign_summary_hint(listed, agent, agent2):
    _dials(listed, agent, dt.date(2026, 3, 2), 110, 90)
    _dials(listed, agent2, dt.date(2026, 3, 2), 104, 84)
    with frozen_at(at(2026, 3, 5, 12)):
        days = osel.seat_days(date_from=dt.date(2026, 3, 2), date_to=dt.date(2026, 3, 5), campaign=listed)
    summary = osel.campaign_hint(days)
    assert summary["standing"] == "above" and summary["avg_dials"] == 107
    progress = osel.progress(listed)
    assert progress["dials"] == 214 and progress["successful"] == 174
