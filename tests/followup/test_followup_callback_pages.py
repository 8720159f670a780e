"""The callback pages: the agent's list (mine / team, due first, overdue marked), a callback with the
customer's phones as tel: links, the request's summary, the dial form and the result buttons."""

import pytest
from django.test import Client
from followup_support import at, reload

from aftersales.followup.models import CallbackAttempt, CallbackPromise
from aftersales.followup.services import create_callback, record_attempt


def browser(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_the_list_shows_my_callbacks_due_first(make_resolved_repair, agent, dispatcher):
    later = create_callback(
        request=make_resolved_repair(name="晚一点"),
        kind="after_job",
        due_at=at(2026, 11, 27, 9),
        actor=dispatcher,
    )
    sooner = create_callback(
        request=make_resolved_repair(name="早一点"),
        kind="after_job",
        due_at=at(2026, 11, 25, 9),
        actor=dispatcher,
    )
    page = browser(agent).get("/followup/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "我的回访" in html and "回访处理率" in html
    assert html.index(f'data-callback="{sooner.pk}"') < html.index(f'data-callback="{later.pk}"')
    assert "2026-11-25 09:00" in html


def test_overdue_callbacks_are_marked(callback, agent, clock):
    assert 'data-testid="overdue"' not in browser(agent).get("/followup/").content.decode()
    clock.set(at(2026, 11, 26, 10))
    html = browser(agent).get("/followup/").content.decode()
    assert 'class="overdue"' in html and 'data-testid="overdue"' in html


def test_the_team_list_shows_other_agents_callbacks(callback, make_user):
    other = make_user("agent", "agent_b")
    assert f'data-callback="{callback.pk}"' not in browser(other).get("/followup/").content.decode()
    assert f'data-callback="{callback.pk}"' in browser(other).get("/followup/?scope=team").content.decode()


def test_the_callback_page_has_tel_links_the_request_and_the_dial_form(callback, resolved_repair, agent):
    html = browser(agent).get(f"/followup/{callback.pk}/").content.decode()
    phone = resolved_repair.customer.phones.get().number
    assert f'href="tel:{phone}"' in html
    assert resolved_repair.number in html and "空调不制冷" in html
    assert 'data-testid="outcome-reached"' in html and "已接通" in html
    assert 'data-testid="result-form"' not in html  # results come once the customer is on the line


def test_reached_then_not_satisfied_reopens_the_repair_from_the_page(callback, resolved_repair, agent):
    client = browser(agent)
    r = client.post(f"/followup/{callback.pk}/attempt/", {"outcome": "reached", "phone": ""})
    assert r.status_code == 302
    html = client.get(f"/followup/{callback.pk}/").content.decode()
    assert 'data-testid="result-not-satisfied"' in html
    client.post(f"/followup/{callback.pk}/not-satisfied/", {"outcome": "还是不制冷"})
    assert reload(resolved_repair).status == "reopened"
    assert reload(callback).status == "done" and reload(callback).result == "reopen"


def test_call_back_later_takes_the_local_time_of_the_form(callback, agent):
    browser(agent).post(
        f"/followup/{callback.pk}/attempt/",
        {"outcome": "call_back_later", "call_back_at": "2026-11-23T19:30"},
    )
    assert reload(callback).next_attempt_at == at(2026, 11, 23, 19, 30)


def test_a_refused_action_is_shown_on_the_page(callback, agent):
    client = browser(agent)
    r = client.post(f"/followup/{callback.pk}/attempt/", {"outcome": "call_back_later"}, follow=True)
    assert "请填写约定的回拨时间" in r.content.decode()
    assert not CallbackAttempt.objects.exists()


def test_a_complaint_registered_from_the_page_is_linked(callback, agent):
    client = browser(agent)
    client.post(f"/followup/{callback.pk}/attempt/", {"outcome": "reached"})
    r = client.post(f"/followup/{callback.pk}/complaint/", {"outcome": "技术员态度差"}, follow=True)
    cb = reload(callback)
    assert cb.raised_request.type == "complaint"
    assert cb.raised_request.number in r.content.decode()


def test_a_promise_from_the_page_and_its_answer(callback, agent):
    client = browser(agent)
    record_attempt(callback=callback, outcome="reached", actor=agent)
    client.post(f"/followup/{callback.pk}/promise/", {"question": "延保价格？", "due_at": "2026-11-24T12:00"})
    promise = CallbackPromise.objects.get()
    assert promise.due_at == at(2026, 11, 24, 12) and promise.owner == agent
    assert "延保价格？" in client.get("/followup/").content.decode()
    client.post(f"/followup/promises/{promise.pk}/answer/", {"answer": "398元一年"})
    assert reload(promise).status == "answered"


def test_the_rate_page(callback, agent, clock):
    clock.set(at(2026, 11, 27, 9))
    html = browser(agent).get("/followup/rate/?start=2026-11-01&end=2026-11-30").content.decode()
    assert 'data-testid="rate-total"' in html and "0.0%" in html and "李客服" in html


@pytest.mark.parametrize("path", ["/followup/", "/followup/rate/"])
def test_technicians_are_refused(path, technician):
    assert browser(technician).get(path).status_code == 403


def test_another_callback_page_of_a_technician_is_not_found(callback, technician):
    assert browser(technician).get(f"/followup/{callback.pk}/").status_code == 404


def test_pages_need_a_login(db):
    r = Client().get("/followup/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
