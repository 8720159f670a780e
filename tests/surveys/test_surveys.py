"""Satisfaction surveys: questionnaires in versions, one answer per customer and survey, answers by
phone, link and paper, and results per question, section, technician, department and period
against the 95 % target, with the Excel export."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from aftersales.core.clock import frozen_at
from aftersales.core.errors import PermissionRefused, TransitionRefused, ValidationFailed
from aftersales.surveys import selectors as sel
from aftersales.surveys import services as sv
from aftersales.surveys.exports import results_workbook
from aftersales.surveys.models import Answer, Question, Response, VersionStatus

SH = dt.timezone(dt.timedelta(hours=8))


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


MARCH_10 = at(2026, 3, 10, 10)


@pytest.fixture
def answer(survey, by_key, agent, good_answers):
    def give(customer, overrides=None, when=MARCH_10, channel="phone", request=None, **extra):
        version = survey.questionnaire.published_version()
        values = {**good_answers, **(overrides or {})}
        with frozen_at(when):
            return sv.record_response(
                data=sv.ResponseInput(
                    survey_id=survey.pk,
                    customer_id=customer.pk,
                    channel=channel,
                    answers=by_key(version, values),
                    request_id=request.pk if request else None,
                    **extra,
                ),
                actor=agent,
            )

    return give


# -- designing in versions ---------------------------------------------------------------------------
def test_the_standard_questionnaire_has_the_spec_sections_and_all_question_types(questionnaire):
    v = questionnaire.published_version()
    assert v.number == 1 and v.status == VersionStatus.PUBLISHED
    topics = [s["topic"] for s in sel.version_structure(v)]
    assert topics == [
        "technical_installation",
        "system_operation",
        "project_implementation",
        "after_sales",
        "training",
        "other",
    ]
    kinds = set(Question.objects.filter(section__version=v).values_list("kind", flat=True))
    assert kinds == {"rating", "yes_no", "single_choice", "multiple_choice", "text"}


def test_a_published_version_cannot_change(questionnaire, manager):
    v = questionnaire.published_version()
    section = v.sections.first()
    with pytest.raises(TransitionRefused) as exc:
        sv.add_question(section=section, data=sv.QuestionInput(text="新问题", kind="rating"), actor=manager)
    assert exc.value.code == "version_not_draft"
    with pytest.raises(TransitionRefused):
        sv.delete_question(question=section.questions.first(), actor=manager)


def test_a_new_version_copies_the_questions_with_their_keys_and_replaces_the_old_on_publish(
    questionnaire, manager
):
    v1 = questionnaire.published_version()
    draft = sv.start_new_version(questionnaire=questionnaire, actor=manager)
    assert draft.number == 2 and draft.status == "draft"
    keys = lambda v: sorted(Question.objects.filter(section__version=v).values_list("key", flat=True))  # noqa: E731
    assert keys(draft) == keys(v1)
    with pytest.raises(TransitionRefused):
        sv.start_new_version(questionnaire=questionnaire, actor=manager)  # one draft at a time
    q = Question.objects.get(section__version=draft, key="timeliness")
    sv.update_question(question=q, data=sv.QuestionInput(text="上门是否及时", kind="rating"), actor=manager)
    sv.publish_version(version=draft, actor=manager, note="措辞调整")
    v1.refresh_from_db()
    assert v1.status == VersionStatus.RETIRED
    assert questionnaire.published_version() == draft
    assert Question.objects.get(section__version=draft, key="timeliness").text == "上门是否及时"


def test_answers_keep_the_version_they_answered(survey, answer, make_customer, manager):
    first = answer(make_customer(name="甲"))
    draft = sv.start_new_version(questionnaire=survey.questionnaire, actor=manager)
    sv.publish_version(version=draft, actor=manager)
    second = answer(make_customer(name="乙"))
    assert first.version.number == 1 and second.version.number == 2
    assert Answer.objects.filter(response=first, question__section__version__number=1).count() == 7
    # The same question across versions adds up in the results.
    rows = {r.key: r for r in sel.by_question(sel.ResultFilters(survey_id=survey.pk))}
    assert rows["staff_attitude"].answers == 2


def test_question_rules(questionnaire, manager):
    draft = sv.start_new_version(questionnaire=questionnaire, actor=manager)
    section = draft.sections.first()
    with pytest.raises(ValidationFailed) as exc:
        sv.add_question(
            section=section,
            data=sv.QuestionInput(text="选一个", kind="single_choice", options=["好"]),
            actor=manager,
        )
    assert exc.value.code == "options_required"
    with pytest.raises(ValidationFailed) as exc:
        sv.add_question(
            section=section,
            data=sv.QuestionInput(text="重复", kind="rating", key="install_quality"),
            actor=manager,
        )
    assert exc.value.code == "key_taken"
    with pytest.raises(ValidationFailed) as exc:
        sv.add_question(
            section=section,
            data=sv.QuestionInput(
                text="选", kind="single_choice", options=["是", "否"], satisfied_options=["也许"]
            ),
            actor=manager,
        )
    assert exc.value.field == "satisfied_options"


def test_only_the_outbound_manager_designs(questionnaire, agent):
    with pytest.raises(PermissionRefused):
        sv.create_questionnaire(code="x", title="X", actor=agent)
    with pytest.raises(PermissionRefused):
        sv.start_new_version(questionnaire=questionnaire, actor=agent)


# -- answering ---------------------------------------------------------------------------------------
def test_a_customer_answers_a_survey_once(survey, answer, make_customer):
    customer = make_customer()
    answer(customer)
    with pytest.raises(TransitionRefused) as exc:
        answer(customer, {"staff_attitude": 1})
    assert exc.value.code == "already_answered"
    assert Response.objects.filter(survey=survey, customer=customer).count() == 1


def test_the_database_refuses_a_second_answer_too(survey, answer, make_customer):
    from django.db import IntegrityError, transaction

    first = answer(make_customer())
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            survey=survey,
            version=first.version,
            customer=first.customer,
            customer_kind="person",
            channel="web",
            answered_at=first.answered_at,
            recorded_at=first.recorded_at,
        )


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("staff_attitude", 6, "invalid_rating"),
        ("staff_attitude", 0, "invalid_rating"),
        ("staff_attitude", "4.5", "invalid_rating"),
        ("install_on_time", "maybe", "invalid_yes_no"),
        ("fixed_first_time", "差不多", "invalid_option"),
        ("valued_aspects", ["响应速度", "价格"], "invalid_option"),
        ("timeliness", "", "answer_required"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_stored(survey, answer, make_customer, key, value, code):
    with pytest.raises(ValidationFailed) as exc:
        answer(make_customer(), {key: value})
    assert exc.value.code == code
    assert exc.value.field.startswith("q")
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_satisfied_is_judged_per_question_type(survey, answer, make_customer):
    r = answer(
        make_customer(),
        {
            "staff_attitude": 3,
            "timeliness": 4,
            "install_on_time": "no",
            "fixed_first_time": "尚未解决",
            "valued_aspects": ["响应速度", "收费透明"],
            "comments": "希望更快",
        },
    )
    got = {a.question.key: a.satisfied for a in r.answers.select_related("question")}
    assert got["staff_attitude"] is False  # 3 of 5 is not satisfied
    assert got["timeliness"] is True
    assert got["install_on_time"] is False
    assert got["fixed_first_time"] is False
    assert got["valued_aspects"] is None and got["comments"] is None  # not rated


def test_the_satisfied_rating_is_a_setting(survey, answer, make_customer, settings):
    settings.AFTERSALES = {**settings.AFTERSALES, "SURVEY_SATISFIED_MIN_RATING": 5}
    r = answer(make_customer())
    got = {a.question.key: a.satisfied for a in r.answers.select_related("question")}
    assert got["staff_attitude"] is True and got["timeliness"] is False


def test_a_paper_form_counts_on_the_day_it_was_filled_in(survey, answer, make_customer):
    with pytest.raises(ValidationFailed) as exc:
        answer(make_customer(), channel="paper")
    assert exc.value.field == "answered_at"
    r = answer(
        make_customer(name="纸质"),
        channel="paper",
        when=at(2026, 4, 2, 9),
        answered_at=at(2026, 3, 28, 15),
        paper_form_number="P-0012",
    )
    assert r.answered_at == at(2026, 3, 28, 15) and r.recorded_at == at(2026, 4, 2, 9)
    assert r.paper_form_number == "P-0012" and r.channel == "paper"


def test_closed_or_not_yet_open_surveys_take_no_answers(survey, answer, make_customer, manager):
    with pytest.raises(TransitionRefused):
        answer(make_customer(), when=at(2026, 2, 27, 9))
    sv.close_survey(survey=survey, actor=manager)
    with pytest.raises(TransitionRefused):
        answer(make_customer())


def test_business_only_survey_refuses_individuals(
    questionnaire, manager, make_customer, by_key, agent, good_answers
):
    with frozen_at(at(2026, 3, 1, 9)):
        survey = sv.create_survey(
            name="企业客户调查",
            questionnaire=questionnaire,
            opens_on=dt.date(2026, 3, 1),
            closes_on=dt.date(2026, 3, 31),
            audience="company",
            actor=manager,
        )
    with frozen_at(at(2026, 3, 2, 9)), pytest.raises(ValidationFailed) as exc:
        sv.record_response(
            data=sv.ResponseInput(
                survey_id=survey.pk,
                customer_id=make_customer().pk,
                channel="phone",
                answers=by_key(questionnaire.published_version(), good_answers),
            ),
            actor=agent,
        )
    assert exc.value.code == "wrong_audience"


def test_invitation_links_are_personal_unguessable_and_reused(survey, make_customer, agent):
    a, b = make_customer(name="甲"), make_customer(name="乙")
    with frozen_at(at(2026, 3, 5, 9)):
        one = sv.invite_customer(survey=survey, customer=a, channel="sms", actor=agent)
        again = sv.invite_customer(survey=survey, customer=a, channel="email", actor=agent)
        other = sv.invite_customer(survey=survey, customer=b, channel="sms", actor=agent)
    assert one.pk == again.pk
    assert one.token != other.token and len(one.token) >= 40
    assert sel.invitation_by_token(one.token).customer == a
    from aftersales.core.errors import NotFound

    with pytest.raises(NotFound):
        sel.invitation_by_token(one.token[:-1] + ("A" if one.token[-1] != "A" else "B"))


def test_web_answers_need_the_invitation(survey, make_customer, by_key, good_answers):
    customer = make_customer()
    with frozen_at(at(2026, 3, 5, 9)), pytest.raises(PermissionRefused):
        sv.record_response(
            data=sv.ResponseInput(
                survey_id=survey.pk,
                customer_id=customer.pk,
                channel="web",
                answers=by_key(survey.questionnaire.published_version(), good_answers),
            ),
        )


# -- results -----------------------------------------------------------------------------------------
@pytest.fixture
def technicians(db, make_user):
    from aftersales.dispatch.models import Station, Technician

    north = Station.objects.create(code="N", name="城北服务站")
    south = Station.objects.create(code="S", name="城南服务站")
    t1 = make_user("technician", "tech_zhang", first_name="张师傅")
    t2 = make_user("technician", "tech_li", first_name="李师傅")
    Technician.objects.create(user=t1, station=north)
    Technician.objects.create(user=t2, station=south)
    return {"zhang": t1, "li": t2, "north": north, "south": south}


@pytest.fixture
def job(make_customer, make_unit, make_request):
    from aftersales.service.models import ServiceRequest

    def make(customer, technician):
        sr = make_request(customer, make_unit(customer)).request
        ServiceRequest.objects.filter(pk=sr.pk).update(assignee=technician)
        sr.refresh_from_db()
        return sr

    return make


@pytest.fixture
def answered(answer, make_customer, job, technicians):
    """Zhang (north): two customers fully satisfied. Li (south): one fully satisfied in March, one in
    April unhappy with attitude and timeliness. 4 responses x 7 rated answers = 28; 26 satisfied."""
    for i, (tech, when, overrides) in enumerate(
        [
            ("zhang", at(2026, 3, 10, 10), {}),
            ("zhang", at(2026, 3, 11, 10), {}),
            ("li", at(2026, 3, 12, 10), {}),
            ("li", at(2026, 4, 2, 10), {"staff_attitude": 2, "timeliness": 3}),
        ]
    ):
        customer = make_customer(name=f"客户{i}")
        answer(customer, overrides, when=when, request=job(customer, technicians[tech]))
    return technicians


def test_results_per_question_section_technician_department_and_period(survey, answered):
    f = sel.ResultFilters(survey_id=survey.pk)
    total = sel.overall(f)
    assert (total.answers, total.satisfied) == (28, 26)
    assert total.rate == pytest.approx(26 / 28) and total.target == 0.95 and total.meets_target is False

    q = {r.key: r for r in sel.by_question(f)}
    assert q["staff_attitude"].rate == 0.75 and not q["staff_attitude"].meets_target
    assert q["install_quality"].rate == 1.0 and q["install_quality"].meets_target
    assert "comments" not in q  # text is not rated

    s = {r.key: r for r in sel.by_section(f)}
    assert (s["after_sales"].answers, s["after_sales"].satisfied) == (12, 10)
    assert s["training"].rate == 1.0

    t = {r.label: r for r in sel.by_technician(f)}
    assert t["张师傅"].rate == 1.0 and t["李师傅"].rate == pytest.approx(12 / 14)

    d = {r.label: r for r in sel.by_department(f)}
    assert d["城北服务站"].meets_target and not d["城南服务站"].meets_target

    p = [(r.label, r.answers, r.satisfied) for r in sel.by_period(f, "month")]
    assert p == [("2026-03", 21, 21), ("2026-04", 7, 5)]


def test_results_filter_by_period_and_technician(survey, answered):
    march = sel.overall(
        sel.ResultFilters(survey_id=survey.pk, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
    )
    assert march.rate == 1.0 and march.meets_target
    li = sel.overall(sel.ResultFilters(survey_id=survey.pk, technician_id=answered["li"].pk))
    assert li.answers == 14


def test_the_target_is_a_setting_per_customer_kind(survey, answered, settings):
    settings.AFTERSALES = {**settings.AFTERSALES, "SURVEY_TARGET_INDIVIDUAL": 0.9}
    rows = {r.key: r for r in sel.by_customer_kind(sel.ResultFilters(survey_id=survey.pk))}
    assert rows["person"].target == 0.9 and rows["person"].meets_target  # 26/28 = 92.9 %


def test_excel_export_has_every_grouping_and_every_answer(survey, answered):
    content = results_workbook(sel.ResultFilters(survey_id=survey.pk))
    wb = load_workbook(io.BytesIO(content))
    assert len(wb.sheetnames) == 8
    by_tech = wb.worksheets[3]
    rows = {r[0]: r for r in by_tech.iter_rows(min_row=2, values_only=True)}
    assert rows["张师傅"][4] == 1.0
    answers = wb.worksheets[-1]
    # A header and the 7 answers of each of the 4 responses (optional questions left empty are not stored).
    assert answers.max_row == 1 + 4 * 7
