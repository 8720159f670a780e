"""Follow-up pages in Chromium: an outbound agent works through a campaign list recording survey
answers; a customer answers a survey through their link on a phone-sized screen; an agent finds
an FAQ answer while registering a request."""

import datetime as dt

import pytest

from aftersales.outbound.models import CallTarget, Dial
from aftersales.service.models import ServiceRequest
from aftersales.surveys.models import Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def open_survey(manager):
    from aftersales.core.clock import local_today
    from aftersales.surveys.services import create_survey
    from aftersales.surveys.standard import create_standard_questionnaire

    questionnaire = create_standard_questionnaire(actor=manager)
    today = local_today()
    return create_survey(
        name="售后服务满意度调查",
        questionnaire=questionnaire,
        opens_on=today,
        closes_on=today + dt.timedelta(days=30),
        actor=manager,
        intro="感谢您抽出一分钟时间。",
    )


def answer_standard_questions(page):
    """Click through the standard questionnaire as a customer would answer it."""

    def pick(key, label):
        page.locator(f"[data-key={key}] label", has_text=label).first.click()

    pick("install_on_time", "是")
    pick("install_quality", "5")
    pick("running_well", "是")
    pick("staff_attitude", "4")
    pick("timeliness", "5")
    pick("fixed_first_time", "一次上门解决")
    pick("training_given", "是")
    pick("valued_aspects", "技术水平")


def test_outbound_agent_works_through_the_list_and_records_answers(
    live_server, new_page, login, manager, agent, open_survey, make_customer
):
    from aftersales.outbound import services as outbound

    make_customer(name="陈静", phone="13800001111")
    make_customer(name="刘洋", phone="13800002222")
    campaign = outbound.create_campaign(
        data=outbound.CampaignInput(
            name="满意度电话调查",
            goal="survey",
            survey_id=open_survey.pk,
            agent_ids=[agent.pk],
            script="您好，我是售后服务中心的回访专员……",
        ),
        actor=manager,
    )
    outbound.build_call_list(campaign=campaign, filters=outbound.CallListFilter(), actor=manager)
    outbound.start_campaign(campaign=campaign, actor=manager)

    page = login(new_page(), "agent_a")
    page.goto(live_server.url + "/outbound/")
    page.get_by_test_id(f"work-{campaign.pk}").click()
    page.get_by_test_id("next-call").click()
    first_phone = page.get_by_test_id("phone").inner_text()
    assert first_phone in ("13800001111", "13800002222")
    assert "回访专员" in page.get_by_test_id("call-card").inner_text()
    # Reached without the answers: the questions say what is missing, nothing is saved.
    page.get_by_test_id("outcome-reached").click()
    assert page.get_by_role("alert").first.is_visible()
    assert not Response.objects.exists()
    answer_standard_questions(page)
    # The customer also complains: registered from the call in one step.
    page.get_by_test_id("register-description").fill("上次上门的师傅迟到了两个小时")
    page.get_by_test_id("register").click()
    page.get_by_test_id("registered").wait_for()
    assert "投诉" in page.get_by_test_id("registered").inner_text()
    # Registering did not leave the page: the answers clicked so far are still there.
    assert page.locator("[data-key=staff_attitude] input[value='4']").is_checked()
    page.get_by_test_id("outcome-reached").click()
    page.get_by_test_id("next-call").click()
    second_phone = page.get_by_test_id("phone").inner_text()
    assert second_phone != first_phone
    page.get_by_test_id("outcome-no_answer").click()
    page.get_by_test_id("next-call").wait_for()

    response = Response.objects.get()
    assert response.channel == "phone" and response.entered_by == agent
    assert {a.question.key: a.rating for a in response.answers.select_related("question")}[
        "staff_attitude"
    ] == 4
    complaint = ServiceRequest.objects.get(type="complaint")
    assert complaint.channel == "outbound" and complaint.customer.phones.first().number == first_phone
    assert CallTarget.objects.get(phone=second_phone).status == "retry"
    assert Dial.objects.filter(agent=agent).exclude(outcome="").count() == 2


def test_customer_answers_through_the_link_on_a_phone(
    live_server, new_page, agent, open_survey, make_customer
):
    from aftersales.surveys.services import invite_customer

    customer = make_customer(name="黄蕾")
    invitation = invite_customer(survey=open_survey, customer=customer, channel="sms", actor=agent)
    page = new_page(width=390, height=844, mobile=True)
    page.goto(f"{live_server.url}/surveys/r/{invitation.token}/")
    assert "黄蕾" in page.inner_text("body") and "感谢您抽出一分钟时间" in page.inner_text("body")
    # Made for the phone: nothing wider than the screen, buttons big enough to tap.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    submit = page.get_by_test_id("submit")
    assert submit.bounding_box()["height"] >= 40
    submit.click()
    assert page.get_by_test_id("error").is_visible()
    assert not Response.objects.exists()
    answer_standard_questions(page)
    page.locator("textarea").last.fill("师傅很专业")
    page.get_by_test_id("submit").click()
    page.get_by_test_id("thanks").wait_for()
    response = Response.objects.get()
    assert response.channel == "web" and response.customer == customer
    assert response.answers.get(question__key="comments").text == "师傅很专业"
    # The link answers once.
    page.goto(f"{live_server.url}/surveys/r/{invitation.token}/")
    page.get_by_test_id("already").wait_for()
    assert Response.objects.count() == 1


def test_agent_finds_an_faq_answer_while_registering_a_request(
    live_server, new_page, login, manager, agent, make_customer, make_unit
):
    from aftersales.knowledge import services as faq
    from aftersales.knowledge.models import ArticleUse

    for question, answer in [
        ("洗衣机底部漏水怎么办", "先断电关水，检查排水管卡箍是否拧紧；机内漏水请预约上门更换密封圈。"),
        ("热水器接口处滴水", "拧紧进水接口，更换密封垫。"),
        ("空调遥控器没反应", "更换电池，对准接收窗。"),
    ]:
        faq.create_article(data=faq.ArticleInput(question=question, answer=answer), actor=manager)
    customer = make_customer(name="何平", phone="13555556666")
    make_unit(customer, serial_number="XQG-BROWSER-1")

    page = login(new_page(), "agent_a")
    page.goto(live_server.url + "/service/console/")
    panel = page.get_by_test_id("faq-panel")
    panel.wait_for()
    page.get_by_test_id("lookup").fill("6666")
    page.get_by_test_id("pick-unit").first.click()
    page.get_by_test_id("description").fill("客户说洗衣机洗衣服的时候底下漏水")
    hit = panel.get_by_test_id("faq-hit").first
    hit.wait_for()
    assert "洗衣机底部漏水怎么办" in hit.inner_text()
    assert hit.locator("mark", has_text="漏水").count() >= 1
    hit.locator("summary").click()
    assert "排水管" in hit.get_by_test_id("faq-answer").inner_text()
    hit.get_by_test_id("use-answer").click()
    assert "排水管" in page.locator("[name=answer]").input_value()
    page.get_by_test_id("register").click()
    page.wait_for_url("**/service/SR*/")
    sr = ServiceRequest.objects.get()
    assert sr.type == "consultation" and "排水管" in sr.answer and sr.customer == customer
    assert ArticleUse.objects.filter(used_by=agent, article__question="洗衣机底部漏水怎么办").exists()
