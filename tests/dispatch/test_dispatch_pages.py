"""Dispatch pages through Django's test client: the board (by zone, at risk, candidates, one-click
assignment, emergencies, timeline), the technician's day, the work order with one form per action
the workflow allows, the signature, photos and the daily report."""

import base64
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aftersales.dispatch import services
from aftersales.dispatch.models import (
    CarryBack,
    DailyReport,
    EmergencyApproval,
    FeeConsent,
    LaborEntry,
    PartLine,
    Payment,
    WorkOrder,
)
from aftersales.service.models import Attachment
from aftersales.service.sla_services import handle_due_clocks

SH = dt.timezone(dt.timedelta(hours=8))
ALL_ITEMS = ["address", "phone", "name", "time", "model"]


def client_for(user, lang="zh-hans"):
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def reload(obj):
    obj.refresh_from_db()
    return obj


def html(response):
    return response.content.decode()


def wo_url(wo, action=""):
    return f"/dispatch/tech/work-orders/{wo.pk}/" + (f"{action}/" if action else "")


def data_url(png):
    return "data:image/png;base64," + base64.b64encode(png).decode()


# -- the board ------------------------------------------------------------------------------------


def test_board_lists_unassigned_field_requests_by_zone_in_chinese(
    dispatcher, repair, make_customer, make_unit, make_request
):
    rural = make_customer(name="钱多", district="崇明区")
    far = make_request(rural, make_unit(rural)).request
    consultation = make_request(rural, type="consultation", description="保修政策咨询").request
    page = html(client_for(dispatcher).get("/dispatch/board/"))
    assert "派工台" in page and "未派工" in page
    assert repair.number in page and far.number in page
    assert consultation.number not in page  # not field work
    # Grouped by zone, in zone code order: RUR (远郊) before URB (市区).
    assert page.index("远郊") < page.index(far.number) < page.index("市区") < page.index(repair.number)


def test_board_shows_assigned_requests_only_when_a_deadline_is_at_risk(
    dispatcher, tech, flow, clock, customer, make_unit, make_request
):
    late = make_request(customer, make_unit(customer)).request
    calm = make_request(customer, make_unit(customer)).request
    flow.assign(late, tech)
    flow.confirm(flow.assign(calm, tech))
    page = html(client_for(dispatcher).get("/dispatch/board/"))
    assert late.number not in page and calm.number not in page
    # Past the first-contact target (30 business minutes) the unconfirmed job is overdue.
    clock.advance(minutes=40)
    page = html(client_for(dispatcher).get("/dispatch/board/"))
    assert late.number in page and "时限告急" in page
    assert calm.number not in page


def test_a_clock_past_its_warning_share_puts_the_request_on_the_board(
    dispatcher, tech, flow, clock, repair, sla_clocks
):
    flow.assign(repair, tech)
    clock.set(repair.received_at + dt.timedelta(minutes=25))  # 80 % of 30 minutes, not yet due
    handle_due_clocks()
    assert sla_clocks(repair)["first_contact"].escalation_level >= 1
    page = html(client_for(dispatcher).get("/dispatch/board/lists/"))
    assert repair.number in page and "时限告急" in page and "未派工" not in page


def test_board_and_its_actions_are_refused_to_other_roles(agent, tech, repair):
    for user in (agent, tech.user):
        c = client_for(user)
        assert c.get("/dispatch/board/").status_code == 403
        assert c.get("/dispatch/board/lists/").status_code == 403
        response = c.post(f"/dispatch/board/requests/{repair.number}/assign/", {"technician_id": tech.pk})
        assert response.status_code == 403
    assert not WorkOrder.objects.exists()


def test_selecting_a_request_shows_ranked_candidates_with_load_and_next_free_slot(
    dispatcher, repair, tech, make_technician, flow, customer, make_unit, make_request
):
    busy = make_technician(name="忙碌")
    flow.assign(make_request(customer, make_unit(customer)).request, busy)
    partner = make_technician(station="partner", name="外援")
    make_technician(certify=("delivery",), name="只会送货")
    response = client_for(dispatcher).get(
        f"/dispatch/board/requests/{repair.number}/", HTTP_HX_REQUEST="true"
    )
    page = html(response)
    assert "<html" not in page  # the fragment only
    names = re.findall(r'<span class="rank">\d+</span><strong>([^<]+)</strong>', page)
    assert names == [str(tech), "忙碌", "外援"]
    workloads = re.findall(r'data-testid="workload">(\d+)<', page)
    assert workloads == ["0", "1", "0"]
    assert "最早空闲" in page and "11-23 09:" in page
    assert "需经理批准" in page and "提请经理批准" in page
    assert page.count('data-testid="assign"') == 2  # the partner cannot be assigned in one click
    assert str(partner) in page


def test_board_without_htmx_renders_the_selected_request_in_the_page(dispatcher, repair, tech):
    page = html(client_for(dispatcher).get(f"/dispatch/board/?request={repair.number}"))
    assert "合格技术员" in page and str(tech) in page and 'data-testid="assign"' in page


def test_one_click_assigns_the_request_to_the_technician(dispatcher, repair, tech):
    response = client_for(dispatcher).post(
        f"/dispatch/board/requests/{repair.number}/assign/", {"technician_id": tech.pk}, follow=True
    )
    wo = WorkOrder.objects.get(request=repair)
    assert wo.technician == tech and wo.status == "assigned" and wo.assigned_by == dispatcher
    assert reload(repair).status == "assigned"
    page = html(response)
    assert f"{repair.number} 已派给" in page and wo.number in page


def test_a_refused_assignment_shows_the_reason_and_changes_nothing(dispatcher, repair, make_technician):
    uncertified = make_technician(certify=("delivery",))
    response = client_for(dispatcher).post(
        f"/dispatch/board/requests/{repair.number}/assign/", {"technician_id": uncertified.pk}, follow=True
    )
    assert "上岗证" in html(response)
    assert not WorkOrder.objects.exists() and reload(repair).status == "new"


def test_emergency_dispatch_is_asked_approved_by_a_manager_then_assigned(
    dispatcher, manager, repair, make_technician
):
    partner = make_technician(station="partner", name="外援")
    board = f"/dispatch/board/requests/{repair.number}/"
    c = client_for(dispatcher)
    c.post(board + "assign/", {"technician_id": partner.pk})
    assert not WorkOrder.objects.exists()
    c.post(board + "emergency/", {"technician_id": partner.pk, "reason": "本部技术员全部外出"})
    approval = EmergencyApproval.objects.get()
    assert approval.status == "pending" and approval.requested_by == dispatcher
    assert "等待经理批准" in html(c.get(board, HTTP_HX_REQUEST="true"))
    # The manager sees it on the board and approves it.
    m = client_for(manager)
    assert "待您审批的紧急调派" in html(m.get("/dispatch/board/"))
    m.post(f"/dispatch/board/approvals/{approval.pk}/approve/", {"note": "同意"})
    assert reload(approval).status == "approved"
    # Now one click assigns the partner, using the approval up.
    assert 'data-testid="assign"' in html(c.get(board, HTTP_HX_REQUEST="true"))
    c.post(board + "assign/", {"technician_id": partner.pk})
    wo = WorkOrder.objects.get()
    assert wo.technician == partner and wo.emergency_approval == approval
    assert reload(approval).status == "used"


def test_a_manager_rejects_an_emergency_dispatch_with_a_note(dispatcher, manager, repair, make_technician):
    partner = make_technician(station="partner")
    approval = services.request_emergency_dispatch(
        request=repair, technician=partner, reason="人手不足", actor=dispatcher
    )
    m = client_for(manager)
    m.post(f"/dispatch/board/approvals/{approval.pk}/reject/", {"note": ""})
    assert reload(approval).status == "pending"  # a rejection needs its reason
    m.post(f"/dispatch/board/approvals/{approval.pk}/reject/", {"note": "本部下午有空"})
    assert reload(approval).status == "rejected"


def test_a_manager_dispatches_a_partner_directly_with_the_reason(manager, repair, make_technician):
    partner = make_technician(station="partner")
    c = client_for(manager)
    assert 'data-testid="assign-emergency"' in html(
        c.get(f"/dispatch/board/requests/{repair.number}/", HTTP_HX_REQUEST="true")
    )
    c.post(
        f"/dispatch/board/requests/{repair.number}/assign/", {"technician_id": partner.pk, "note": "台风天"}
    )
    wo = WorkOrder.objects.get()
    assert wo.technician == partner and wo.dispatch_kind == "partner"
    assert wo.emergency_approval.decided_by == manager


def test_an_assigned_job_is_reassigned_from_the_board_with_a_reason(
    dispatcher, repair, tech, make_technician, flow
):
    first = flow.assign(repair, tech)
    other = make_technician(name="接手")
    panel = html(
        client_for(dispatcher).get(f"/dispatch/board/requests/{repair.number}/", HTTP_HX_REQUEST="true")
    )
    assert "当前技术员" in panel and 'data-testid="reassign"' in panel
    client_for(dispatcher).post(
        f"/dispatch/board/requests/{repair.number}/reassign/", {"technician_id": other.pk, "reason": "请假"}
    )
    assert reload(first).status == "reassigned"
    assert WorkOrder.objects.get(request=repair, is_active=True).technician == other


def test_timeline_draws_each_technicians_appointments_of_the_day(dispatcher, repair, tech, flow, clock):
    wo = flow.confirm(flow.assign(repair, tech), start=dt.datetime(2026, 11, 23, 11, 0, tzinfo=SH))
    page = html(client_for(dispatcher).get("/dispatch/board/"))
    # 11:00–13:00 on a day drawn from 08:00 to 20:00: from 25 % for 16.67 %.
    slot = re.search(r'style="left:([\d.]+)%;width:([\d.]+)%" href="/dispatch/tech/work-orders/(\d+)/"', page)
    assert slot and slot.groups() == ("25.00", "16.67", str(wo.pk))
    assert "技术员当日安排 2026-11-23" in page
    other_day = html(client_for(dispatcher).get("/dispatch/board/?day=2026-11-24"))
    assert f"/dispatch/tech/work-orders/{wo.pk}/" not in other_day


# -- the technician's day -------------------------------------------------------------------------


def test_today_lists_the_technicians_jobs_in_order(tech, flow, clock, customer, make_unit, make_request):
    def job(hour):
        wo = flow.assign(make_request(customer, make_unit(customer)).request, tech)
        return flow.confirm(wo, start=dt.datetime(2026, 11, 23, hour, 0, tzinfo=SH))

    afternoon, morning = job(15), job(11)
    to_call = flow.assign(make_request(customer, make_unit(customer)).request, tech)
    page = html(client_for(tech.user).get("/dispatch/tech/"))
    assert "今日工单" in page and "待电话预约" in page
    assert page.index(morning.number) < page.index(afternoon.number) < page.index(to_call.number)
    assert "11:00–13:00" in page


def test_today_and_report_are_for_technicians_only(dispatcher):
    c = client_for(dispatcher)
    assert c.get("/dispatch/tech/").status_code == 404
    assert c.post("/dispatch/tech/report/submit/", {"day": "2026-11-23"}).status_code == 404


def test_work_order_page_offers_only_the_actions_allowed_now(repair, tech, flow):
    wo = flow.assign(repair, tech)
    page = html(client_for(tech.user).get(wo_url(wo)))
    assert "确认预约" in page and f'href="tel:{board_phone(repair)}"' in page
    assert "上海市上海市徐汇区漕溪北路1号" in page
    assert 'data-testid="form-confirm_appointment"' in page
    for later in ("check_in", "diagnose", "finish", "sign", "reassign", "cancel"):
        assert f'data-testid="form-{later}"' not in page


def board_phone(request):
    return request.customer.phones.get().number


def test_a_technician_cannot_open_or_act_on_another_technicians_work_order(
    repair, tech, make_technician, flow
):
    wo = flow.assign(repair, tech)
    other = make_technician()
    c = client_for(other.user)
    assert c.get(wo_url(wo)).status_code == 404
    response = c.post(
        wo_url(wo, "confirm-appointment"),
        {"day": "2026-11-23", "start": "13:00", "end": "15:00", "confirmed_items": ALL_ITEMS},
    )
    assert response.status_code == 404
    assert reload(wo).status == "assigned"
    assert c.get(wo_url(wo) + "signature.png").status_code == 404


def test_confirming_the_appointment_schedules_the_job(repair, tech, flow):
    wo = flow.assign(repair, tech)
    c = client_for(tech.user)
    response = c.post(
        wo_url(wo, "confirm-appointment"),
        {
            "day": "2026-11-23",
            "start": "13:00",
            "end": "15:00",
            "confirmed_items": ALL_ITEMS,
            "note": "客户在家",
        },
    )
    assert response.status_code == 302
    wo = reload(wo)
    assert wo.status == "scheduled" and reload(repair).status == "scheduled"
    assert wo.appointment_start == dt.datetime(2026, 11, 23, 13, 0, tzinfo=SH)
    assert wo.appointment_end == dt.datetime(2026, 11, 23, 15, 0, tzinfo=SH)
    page = html(c.get(wo_url(wo)))
    assert "已完成：确认预约" in page and 'data-testid="form-check_in"' in page


def test_an_incomplete_confirmation_is_shown_in_its_form_and_changes_nothing(repair, tech, flow):
    wo = flow.assign(repair, tech)
    response = client_for(tech.user).post(
        wo_url(wo, "confirm-appointment"),
        {"day": "2026-11-23", "start": "13:00", "end": "15:00", "confirmed_items": ["address", "phone"]},
    )
    assert response.status_code == 422
    page = html(response)
    assert "请电话向客户确认" in page and 'data-testid="form-error"' in page
    assert 'value="13:00"' in page  # what was typed stays
    assert reload(wo).status == "assigned"
    bad = client_for(tech.user).post(
        wo_url(wo, "confirm-appointment"), {"day": "明天", "start": "13:00", "end": "15:00"}
    )
    assert bad.status_code == 422 and "请输入有效的日期和时间" in html(bad)


def test_delay_and_customer_absent_are_recorded(repair, tech, flow):
    wo = flow.confirm(flow.assign(repair, tech), start=dt.datetime(2026, 11, 23, 11, 0, tzinfo=SH))
    c = client_for(tech.user)
    c.post(
        wo_url(wo, "announce-delay"),
        {"day": "2026-11-23", "start": "12:00", "end": "14:00", "reason": "堵车"},
    )
    assert reload(wo).appointment_end == dt.datetime(2026, 11, 23, 14, 0, tzinfo=SH)
    assert wo.contacts.filter(kind="delay").exists()
    c.post(wo_url(wo, "customer-absent"), {"note": "敲门无人"})
    assert reload(wo).status == "customer_absent"


def test_on_site_steps_through_the_pages_end_with_a_signed_finished_job(repair, tech, flow, clock, png):
    wo = flow.confirm(flow.assign(repair, tech), start=dt.datetime(2026, 11, 23, 11, 0, tzinfo=SH))
    c = client_for(tech.user)
    clock.set(dt.datetime(2026, 11, 23, 11, 10, tzinfo=SH))
    c.post(wo_url(wo, "check-in"), {"note": ""})
    assert reload(wo).status == "on_site" and wo.arrived_at == clock.at
    # Work cannot begin before the diagnosis: the page says why.
    assert "请先记录故障诊断" in html(c.get(wo_url(wo)))
    c.post(wo_url(wo, "diagnosis"), {"diagnosis": "电容老化", "fault_cause": "normal"})
    assert reload(wo).diagnosis == "电容老化"
    c.post(wo_url(wo, "begin-work"), {})
    assert reload(wo).status == "working"
    c.post(wo_url(wo, "part-lines/add"), {"part_number": "CAP-35", "name": "启动电容", "quantity": "1"})
    assert PartLine.objects.get(work_order=wo).name == "启动电容"
    clock.set(dt.datetime(2026, 11, 23, 12, 0, tzinfo=SH))
    c.post(
        wo_url(wo, "labor/add"),
        {"day": "2026-11-23", "start": "11:15", "end": "11:55", "description": "更换电容"},
    )
    assert LaborEntry.objects.get(work_order=wo).minutes == 40
    page = html(c.get(wo_url(wo)))
    assert 'data-testid="signature-pad"' in page and "signature_pad.min.js" in page
    c.post(wo_url(wo, "signature"), {"image": data_url(png), "signer_name": "张伟"})
    wo = reload(wo)
    assert wo.signer_name == "张伟" and wo.signed_at is not None
    assert wo.signature.open("rb").read() == png
    assert c.get(wo_url(wo) + "signature.png").content == png
    c.post(wo_url(wo, "finish"), {"resolution": "更换启动电容，试机正常"})
    assert reload(wo).status == "finished" and reload(repair).status == "resolved"
    page = html(c.get(wo_url(wo)))
    assert "已完工" in page and "客户签字" in page and 'data-testid="form-finish"' not in page


def test_a_bad_signature_is_refused_in_place(repair, tech, flow):
    wo = flow.working(repair, tech)
    c = client_for(tech.user)
    response = c.post(
        wo_url(wo, "signature"), {"image": "data:image/jpeg;base64,AAAA", "signer_name": "张伟"}
    )
    assert response.status_code == 422 and "PNG" in html(response)
    empty = c.post(wo_url(wo, "signature"), {"image": "", "signer_name": "张伟"})
    assert empty.status_code == 422
    assert reload(wo).signed_at is None and not wo.signature


def test_paid_repair_fees_consent_and_payment_through_the_pages(paid_repair, tech, flow, fee_items):
    wo = flow.diagnose(flow.on_site(paid_repair, tech))
    c = client_for(tech.user)
    page = html(c.get(wo_url(wo)))
    assert 'data-testid="form-add_fee"' in page and "上门费" in page
    assert 'data-testid="blocked-begin_work"' in page
    c.post(wo_url(wo, "fee-lines/add"), {"item_id": fee_items["visit"].pk, "quantity": "1"})
    c.post(wo_url(wo, "fee-lines/add"), {"item_id": fee_items["part"].pk, "quantity": "1"})
    line = wo.fee_lines.get(item=fee_items["part"])
    c.post(wo_url(wo, "fee-lines/remove"), {"line_id": line.pk})
    assert list(wo.fee_lines.values_list("amount", flat=True)) == [Decimal("50.00")]
    c.post(wo_url(wo, "consent/request"), {})
    assert FeeConsent.objects.get(work_order=wo).state == "pending"
    c.post(wo_url(wo, "consent/answer"), {"agreed": "yes", "customer_name": "张伟"})
    assert FeeConsent.objects.get(work_order=wo).state == "agreed"
    c.post(wo_url(wo, "begin-work"), {})
    assert reload(wo).status == "working"
    c.post(wo_url(wo, "payments/add"), {"amount": "50.00", "method": "wechat", "reference": "WX001"})
    assert Payment.objects.get(work_order=wo).amount == Decimal("50.00")
    page = html(c.get(wo_url(wo)))
    assert "¥50.00" in page and "已同意" in page


def test_a_refused_quote_records_the_customers_answer(paid_repair, tech, flow, fee_items):
    wo = flow.diagnose(flow.on_site(paid_repair, tech))
    c = client_for(tech.user)
    c.post(wo_url(wo, "fee-lines/add"), {"item_id": fee_items["visit"].pk, "quantity": "1"})
    c.post(wo_url(wo, "consent/request"), {})
    c.post(wo_url(wo, "consent/answer"), {"agreed": "no", "customer_name": "张伟", "note": "太贵"})
    assert FeeConsent.objects.get(work_order=wo).state == "refused"
    response = c.post(wo_url(wo, "begin-work"), {})
    assert response.status_code == 409 and reload(wo).status == "on_site"


def test_waiting_for_parts_carry_back_and_return(repair, tech, flow):
    wo = flow.working(repair, tech)
    c = client_for(tech.user)
    c.post(wo_url(wo, "wait-parts"), {"note": "压缩机缺货"})
    assert reload(wo).status == "waiting_parts"
    c.post(wo_url(wo, "resume"), {"note": "配件到货"})
    assert reload(wo).status == "working"
    c.post(
        wo_url(wo, "carry-back"),
        {"unit_condition": "外壳完好", "loaner_serial": "LN-01", "loaner_model": "KFR-26"},
    )
    receipt = CarryBack.objects.get(work_order=wo)
    assert reload(wo).status == "carried_back"
    c.post(wo_url(wo, "return-unit"), {"receipt_number": receipt.receipt_number})
    assert reload(wo).status == "carried_back"  # the loaner must come back too
    c.post(wo_url(wo, "return-unit"), {"receipt_number": receipt.receipt_number, "loaner_returned": "on"})
    assert reload(wo).status == "working" and reload(receipt).receipt_taken_back


def test_dead_on_arrival_leads_to_the_new_delivery(delivery, tech, flow):
    wo = flow.on_site(delivery, tech)
    response = client_for(tech.user).post(
        wo_url(wo, "dead-on-arrival"),
        {"defect": "开箱外壳破损", "day": "2026-11-24", "start": "10:00", "end": "12:00"},
    )
    new = WorkOrder.objects.get(replaces=wo)
    assert reload(wo).status == "dead_on_arrival" and new.status == "scheduled"
    assert response["Location"] == wo_url(new)


def test_office_actions_cancel_waive_and_invoice(dispatcher, paid_repair, repair, tech, flow, fee_items):
    wo = flow.diagnose(flow.on_site(paid_repair, tech))
    wo = flow.quote_and_agree(wo, fee_items["visit"])
    services.begin_work(work_order=wo, actor=tech.user)
    tech_page = html(client_for(tech.user).get(wo_url(wo)))
    assert (
        'data-testid="form-issue_invoice"' not in tech_page and 'data-testid="form-cancel"' not in tech_page
    )
    office = client_for(dispatcher)
    office_page = html(office.get(wo_url(wo)))
    assert 'data-testid="form-issue_invoice"' in office_page and 'data-testid="form-cancel"' in office_page
    office.post(wo_url(wo, "invoice"), {"number": "FP2026001"})
    assert wo.invoice.number == "FP2026001"
    client_for(tech.user).post(wo_url(wo, "finish"), {"resolution": "完成"})
    assert reload(wo).status == "finished" and wo.signature_missing
    office.post(wo_url(wo, "waive-signature"), {"reason": "客户外出，由家人确认"})
    assert reload(wo).signature_waived_by == dispatcher
    other = flow.assign(repair, tech)
    office.post(wo_url(other, "cancel"), {"reason": "客户撤销"})
    assert reload(other).status == "cancelled" and reload(repair).status == "cancelled"


def test_photos_are_kept_with_the_request(repair, tech, flow):
    wo = flow.on_site(repair, tech)
    c = client_for(tech.user)
    photo = SimpleUploadedFile("fault.jpg", b"\xff\xd8\xff\xe0fake-jpeg-bytes", content_type="image/jpeg")
    c.post(wo_url(wo) + "photos/", {"photo": photo})
    attachment = Attachment.objects.get(request=repair)
    assert attachment.name == "fault.jpg" and attachment.uploaded_by == tech.user
    assert attachment.file.url in html(c.get(wo_url(wo)))
    text = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = c.post(wo_url(wo) + "photos/", {"photo": text})
    assert response.status_code == 422 and "请选择一张照片" in html(response)
    assert Attachment.objects.filter(request=repair).count() == 1


# -- the daily report ------------------------------------------------------------------------------


def test_daily_report_page_shows_the_days_jobs_and_submits_them(repair, tech, flow, clock):
    wo = flow.working(repair, tech)
    start = clock.at
    clock.advance(hours=1)
    services.record_labor(
        work_order=wo, started_at=start, ended_at=clock.at, description="维修", actor=tech.user
    )
    services.finish_work_order(work_order=wo, resolution="修复", actor=tech.user)
    c = client_for(tech.user)
    page = html(c.get("/dispatch/tech/report/"))
    assert "工作日报" in page and repair.number in page and "60 分钟" in page and "尚未提交" in page
    clock.set(dt.datetime(2026, 11, 23, 19, 0, tzinfo=SH))
    c.post("/dispatch/tech/report/submit/", {"day": "2026-11-23", "note": "顺利"})
    report = DailyReport.objects.get(technician=tech)
    assert report.job_count == 1 and report.total_minutes == 60 and not report.late
    page = html(c.get("/dispatch/tech/report/?day=2026-11-23"))
    assert "已提交" in page and "按时" in page and 'data-testid="submit-report"' not in page


def test_office_staff_read_a_technicians_report_but_do_not_submit_it(dispatcher, tech):
    page = html(client_for(dispatcher).get(f"/dispatch/tech/report/?technician={tech.pk}"))
    assert str(tech) in page and 'data-testid="submit-report"' not in page


@pytest.mark.parametrize(
    ("path", "english", "chinese"),
    [
        ("/dispatch/board/", "Dispatch board", "派工台"),
        ("/dispatch/tech/", "Today's jobs", "今日工单"),
        ("/dispatch/tech/report/", "Daily report", "工作日报"),
    ],
)
def test_pages_follow_the_readers_language(path, english, chinese, dispatcher, tech):
    user = dispatcher if "board" in path else tech.user
    in_english = html(client_for(user, lang="en").get(path))
    assert english in in_english and chinese not in in_english
    assert chinese in html(client_for(user).get(path))
