"""Surveys through the API and the pages: designing, links without login on a phone, answers by
phone and paper, results and the Excel export."""

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from aftersales.core.clock import frozen_at
from aftersales.surveys.models import Invitation, Question, Questionnaire, Response

SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def client_for(db):
    def make(user=None):
        c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        if user:
            c.force_login(user)
        return c

    return make


def api_post(c, path, body):
    return c.post("/api/v1/surveys" + path, body, content_type="application/json")


def test_api_designs_publishes_and_versions(client_for, manager, agent):
    m = client_for(manager)
    r = api_post(m, "/questionnaires", {"code": "install", "title": "安装回访"})
    assert r.status_code == 201
    qid, vid = r.json()["id"], r.json()["versions"][0]["id"]
    r = api_post(m, f"/versions/{vid}/sections", {"title": "技术安装", "topic": "technical_installation"})
    sid = r.json()["sections"][0]["id"]
    r = api_post(
        m, f"/sections/{sid}/questions", {"text": "安装是否满意", "kind": "rating", "key": "install"}
    )
    assert r.status_code == 201 and r.json()["sections"][0]["questions"][0]["key"] == "install"
    r = api_post(m, f"/sections/{sid}/questions", {"text": "选", "kind": "single_choice", "options": ["一"]})
    assert r.status_code == 422 and r.json()["code"] == "options_required"
    assert api_post(client_for(agent), f"/versions/{vid}/publish", {}).status_code == 403
    r = api_post(m, f"/versions/{vid}/publish", {"note": "首版"})
    assert r.json()["status"] == "published"
    r = api_post(m, f"/sections/{sid}/questions", {"text": "再加", "kind": "text"})
    assert r.status_code == 409
    r = api_post(m, f"/questionnaires/{qid}/versions", {})
    assert r.status_code == 201 and r.json()["number"] == 2
    assert r.json()["sections"][0]["questions"][0]["key"] == "install"


def test_the_customers_link_works_without_login_once(
    client_for, survey, agent, make_customer, by_key, good_answers
):
    customer = make_customer(name="冯洁")
    with frozen_at(dt.datetime(2026, 3, 5, 9, tzinfo=SH)):
        r = api_post(
            client_for(agent),
            f"/surveys/{survey.pk}/invitations",
            {"customer_id": customer.pk, "channel": "sms"},
        )
    assert r.status_code == 201
    token = r.json()["url"].rstrip("/").split("/")[-1]
    anonymous = client_for()
    r = anonymous.get(f"/api/v1/surveys/public/{token}")
    assert r.status_code == 200 and r.json()["customer"] == "冯洁" and r.json()["answered"] is False
    version = survey.questionnaire.published_version()
    body = {
        "answers": {str(k): v for k, v in by_key(version, good_answers).items()},
        "version_id": version.pk,
    }
    r = api_post(anonymous, f"/public/{token}", body)
    assert r.status_code == 201
    r = api_post(anonymous, f"/public/{token}", body)
    assert r.status_code == 409 and r.json()["code"] == "already_answered"
    assert anonymous.get("/api/v1/surveys/public/not-a-real-token-but-long-enough").status_code == 404
    response = Response.objects.get()
    assert response.channel == "web" and response.invitation.token == token and response.entered_by is None


def test_api_records_phone_answers_and_reports_results(
    client_for, survey, agent, manager, make_customer, by_key, good_answers
):
    version = survey.questionnaire.published_version()
    a = client_for(agent)
    for i, attitude in enumerate([5, 2]):
        body = {
            "customer_id": make_customer(name=f"客户{i}").pk,
            "channel": "phone",
            "answers": {
                str(k): v for k, v in by_key(version, {**good_answers, "staff_attitude": attitude}).items()
            },
        }
        assert api_post(a, f"/surveys/{survey.pk}/responses", body).status_code == 201
    body["channel"] = "web"
    assert api_post(a, f"/surveys/{survey.pk}/responses", body).status_code == 422
    r = a.get("/api/v1/surveys/results", {"group": "question", "survey_id": survey.pk})
    rows = {row["key"]: row for row in r.json()["rows"]}
    assert rows["staff_attitude"]["rate"] == 0.5 and rows["staff_attitude"]["meets_target"] is False
    assert r.json()["overall"]["target"] == 0.95
    assert a.get("/api/v1/surveys/results", {"group": "colour"}).status_code == 422
    x = a.get("/api/v1/surveys/results/export", {"survey_id": survey.pk})
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(x.content)).sheetnames[0]


# -- pages -------------------------------------------------------------------------------------------
def test_designer_pages(client_for, manager):
    m = client_for(manager)
    r = m.post("/surveys/questionnaires/new/", {"code": "std", "title": "标准", "standard": "1"})
    q = Questionnaire.objects.get(code="std")
    assert r.status_code == 302
    draft = q.draft_version()
    page = m.get(f"/surveys/questionnaires/{q.pk}/").content.decode()
    assert "服务人员的服务态度" in page and "/publish/" in page
    section = draft.sections.first()
    m.post(
        f"/surveys/questionnaires/{q.pk}/add_question/",
        {"section": section.pk, "text": "是否准时", "kind": "yes_no", "key": "on_time", "required": "on"},
    )
    assert Question.objects.filter(section=section, key="on_time").exists()
    m.post(
        f"/surveys/questionnaires/{q.pk}/add_question/",
        {
            "section": section.pk,
            "text": "选择",
            "kind": "single_choice",
            "options": "好\n一般\n差",
            "satisfied_options": "好",
        },
    )
    choice = Question.objects.get(section=section, text="选择")
    assert choice.options == ["好", "一般", "差"] and choice.satisfied_options == ["好"]
    m.post(f"/surveys/questionnaires/{q.pk}/publish/", {"version": draft.pk})
    draft.refresh_from_db()
    assert draft.status == "published"
    r = m.post(
        f"/surveys/questionnaires/{q.pk}/add_question/",
        {"section": section.pk, "text": "x", "kind": "text"},
        follow=True,
    )
    assert "error" in r.content.decode()
    assert not Question.objects.filter(section=section, text="x").exists()


def test_agent_records_paper_answers_on_the_page(client_for, survey, agent, make_customer):
    customer = make_customer(name="纸质客户", phone="13700001111")
    a = client_for(agent)
    version = survey.questionnaire.published_version()
    qs = {q.key: q for q in Question.objects.filter(section__version=version)}
    form = {
        "customer": "13700001111",
        "channel": "paper",
        "answered_on": "2026-03-20",
        "paper_form_number": "P-77",
        "version": version.pk,
    }
    form.update(
        {
            f"q{qs[k].pk}": v
            for k, v in {
                "install_on_time": "yes",
                "install_quality": "5",
                "running_well": "yes",
                "staff_attitude": "4",
                "timeliness": "4",
                "fixed_first_time": "一次上门解决",
                "training_given": "no",
            }.items()
        }
    )
    form[f"q{qs['valued_aspects'].pk}"] = ["响应速度", "技术水平"]
    with frozen_at(dt.datetime(2026, 3, 25, 9, tzinfo=SH)):
        r = a.post(f"/surveys/{survey.pk}/answer/", form)
    assert r.status_code == 302
    resp = Response.objects.get(customer=customer)
    assert resp.channel == "paper" and resp.paper_form_number == "P-77"
    assert resp.answers.get(question=qs["valued_aspects"]).choices == ["响应速度", "技术水平"]


def test_a_missing_required_answer_is_shown_beside_the_question(client_for, survey, agent, make_customer):
    make_customer(name="漏答", phone="13700002222")
    version = survey.questionnaire.published_version()
    with frozen_at(dt.datetime(2026, 3, 25, 9, tzinfo=SH)):
        r = client_for(agent).post(
            f"/surveys/{survey.pk}/answer/",
            {"customer": "13700002222", "channel": "phone", "version": version.pk},
        )
    body = r.content.decode()
    assert r.status_code == 200 and 'role="alert"' in body
    assert not Response.objects.exists()


def test_public_page_on_a_phone(client_for, survey, agent, make_customer):
    customer = make_customer(name="手机用户")
    with frozen_at(dt.datetime(2026, 3, 5, 9, tzinfo=SH)):
        from aftersales.surveys.services import invite_customer

        inv = invite_customer(survey=survey, customer=customer, channel="sms", actor=agent)
    c = client_for()
    page = c.get(f"/surveys/r/{inv.token}/").content.decode()
    assert 'name="viewport"' in page and "手机用户" in page and "服务人员的服务态度" in page
    assert Invitation.objects.get(pk=inv.pk).opened_at is not None
    version = survey.questionnaire.published_version()
    qs = {q.key: q.pk for q in Question.objects.filter(section__version=version)}
    r = c.post(f"/surveys/r/{inv.token}/", {"version": version.pk, f"q{qs['staff_attitude']}": "5"})
    assert 'role="alert"' in r.content.decode()  # required answers missing
    answers = {
        "install_on_time": "yes",
        "install_quality": "4",
        "running_well": "yes",
        "staff_attitude": "5",
        "timeliness": "5",
        "fixed_first_time": "一次上门解决",
        "training_given": "yes",
    }
    r = c.post(
        f"/surveys/r/{inv.token}/", {"version": version.pk, **{f"q{qs[k]}": v for k, v in answers.items()}}
    )
    assert 'data-testid="thanks"' in r.content.decode()
    assert 'data-testid="already"' in c.get(f"/surveys/r/{inv.token}/").content.decode()
    assert c.get("/surveys/r/abcdefghijklmnopqrstuvwxyz0123456789/").status_code == 404


def test_results_page_and_export(client_for, survey, manager, agent, make_customer, by_key, good_answers):
    from aftersales.surveys.services import ResponseInput, record_response

    version = survey.questionnaire.published_version()
    with frozen_at(dt.datetime(2026, 3, 10, 9, tzinfo=SH)):
        record_response(
            data=ResponseInput(
                survey_id=survey.pk,
                customer_id=make_customer().pk,
                channel="phone",
                answers=by_key(version, good_answers),
            ),
            actor=agent,
        )
    m = client_for(manager)
    page = m.get("/surveys/results/", {"survey": survey.pk}).content.decode()
    assert 'id="chart-section"' in page and "100.0%" in page and "95.0%" in page and "echarts" in page
    # The chart data is an object the script reads, not a JSON string inside JSON.
    assert '<script id="chart-data" type="application/json">{"question": {"labels": [' in page
    x = m.get("/surveys/results/export.xlsx", {"survey": survey.pk})
    wb = load_workbook(io.BytesIO(x.content))
    assert wb.worksheets[-1].max_row == 1 + 7
