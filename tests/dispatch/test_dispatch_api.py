"""The dispatch API as a dispatcher's and a technician's app use it: one endpoint per action."""

import datetime as dt

SH = dt.timezone(dt.timedelta(hours=8))
ALL_ITEMS = ["address", "phone", "name", "time", "model"]


def iso(value):
    return value.isoformat()


def test_a_paid_repair_from_dispatch_to_invoice(
    api, paid_repair, tech, make_technician, dispatcher, agent, fee_items, clock, png
):
    make_technician(station="partner")
    office, field = api(dispatcher), api(tech.user)

    response = office.get(f"/requests/{paid_repair.number}/candidates")
    assert response.status_code == 200
    candidates = response.json()
    assert candidates[0]["technician_id"] == tech.pk and candidates[0]["needs_approval"] is False
    assert candidates[-1]["dispatch_kind"] == "partner" and candidates[-1]["needs_approval"] is True
    assert candidates[0]["next_free_slot"].endswith("+08:00")

    response = office.post(
        f"/requests/{paid_repair.number}/assign", {"technician_id": tech.pk, "note": "就近"}
    )
    assert response.status_code == 201, response.json()
    wo = response.json()
    assert wo["status"] == "assigned" and "confirm_appointment" in wo["actions"]
    path = f"/work-orders/{wo['id']}"

    start = dt.datetime(2026, 11, 23, 14, tzinfo=SH)
    response = field.post(
        f"{path}/confirm-appointment",
        {
            "appointment_start": iso(start),
            "appointment_end": iso(start + dt.timedelta(hours=2)),
            "confirmed_items": ALL_ITEMS,
        },
    )
    assert response.status_code == 200 and response.json()["status"] == "scheduled"
    clock.set(start + dt.timedelta(minutes=10))
    assert field.post(f"{path}/check-in").json()["status"] == "on_site"
    assert field.post(f"{path}/diagnosis", {"diagnosis": "压缩机卡缸"}).json()["charge"] == "paid"

    response = field.post(f"{path}/begin-work")
    assert response.status_code == 409 and response.json()["code"] == "quote_required"
    assert "收费" in response.json()["message"]

    response = field.post(f"{path}/fee-lines", {"item_id": fee_items["labor"].pk})
    assert response.status_code == 201 and response.json()["fee_total"] == "200.00"
    visit_line = field.post(f"{path}/fee-lines", {"item_id": fee_items["visit"].pk}).json()["fee_lines"][-1]
    response = field.delete(f"{path}/fee-lines/{visit_line['id']}")
    assert response.status_code == 200 and response.json()["fee_total"] == "200.00"
    assert field.post(f"{path}/request-consent").json()["consents"][0]["state"] == "pending"
    response = field.post(f"{path}/consent", {"agreed": True, "customer_name": "张伟"})
    assert response.json()["consents"][0]["state"] == "agreed"
    assert field.post(f"{path}/begin-work").json()["status"] == "working"

    response = field.post(f"{path}/part-lines", {"part_number": "P-COMP-35", "name": "压缩机", "quantity": 1})
    assert response.status_code == 201 and response.json()["part_lines"][0]["part_number"] == "P-COMP-35"
    begun = clock.at
    clock.advance(minutes=90)
    response = field.post(
        f"{path}/labor", {"started_at": iso(begun), "ended_at": iso(clock.at), "description": "更换压缩机"}
    )
    assert response.status_code == 201 and response.json()["labor"][0]["minutes"] == 90

    response = field.upload(f"{path}/signature", {"image": _file(png), "signer_name": "张伟"})
    assert response.status_code == 200, response.json()
    assert response.json()["signed"] is True
    image = field.get(f"{path}/signature")
    assert image.status_code == 200 and image["Content-Type"] == "image/png" and image.content == png

    response = field.post(
        f"{path}/payments", {"amount": "200.00", "method": "wechat", "reference": "4200001"}
    )
    assert response.status_code == 201 and response.json()["collected"] == "200.00"
    response = field.post(f"{path}/finish", {"resolution": "更换压缩机，试机正常"})
    assert response.status_code == 200 and response.json()["status"] == "finished"
    assert response.json()["signature_missing"] is False

    response = api(agent).post(f"{path}/invoice", {"number": "No.00012345"})
    assert response.status_code == 201 and response.json()["invoice"]["number"] == "No.00012345"

    events = [h["event"] for h in api(agent).get(path).json()["history"]]
    assert events[0] == "created" and events[-1] == "issue_invoice"
    listed = office.get(f"/requests/{paid_repair.number}/work-orders").json()
    assert [w["number"] for w in listed] == [wo["number"]]


def _file(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("signature.png", data, content_type="image/png")


def test_assigning_an_expired_technician_gives_409_in_chinese(api, repair, make_technician, dispatcher):
    expired = make_technician(expires_on=dt.date(2026, 1, 1))
    response = api(dispatcher).post(f"/requests/{repair.number}/assign", {"technician_id": expired.pk})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "certification_expired" and body["field"] == "technician_id"
    assert "证" in body["message"]
    response = api(dispatcher, lang="en").post(
        f"/requests/{repair.number}/assign", {"technician_id": expired.pk}
    )
    assert "certificate" in response.json()["message"]


def test_second_assign_of_the_same_request_gives_409(api, repair, tech, make_technician, dispatcher):
    other = make_technician()
    assert (
        api(dispatcher).post(f"/requests/{repair.number}/assign", {"technician_id": tech.pk}).status_code
        == 201
    )
    response = api(dispatcher).post(f"/requests/{repair.number}/assign", {"technician_id": other.pk})
    assert response.status_code == 409


def test_emergency_approval_through_the_api(api, repair, make_technician, dispatcher, manager):
    partner = make_technician(station="partner")
    office = api(dispatcher)
    response = office.post(f"/requests/{repair.number}/assign", {"technician_id": partner.pk})
    assert response.status_code == 409 and response.json()["code"] == "manager_approval_required"
    approval = office.post(
        f"/requests/{repair.number}/emergency-approvals", {"technician_id": partner.pk, "reason": "本部无人"}
    ).json()
    assert office.post(f"/emergency-approvals/{approval['id']}/approve").status_code == 403
    response = api(manager).post(f"/emergency-approvals/{approval['id']}/approve", {"note": "同意"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    response = office.post(f"/requests/{repair.number}/assign", {"technician_id": partner.pk})
    assert response.status_code == 201 and response.json()["emergency_approval_id"] == approval["id"]


def test_automatic_assignment_through_the_api(api, repair, tech, dispatcher):
    response = api(dispatcher).post(f"/requests/{repair.number}/auto-assign")
    assert response.status_code == 201 and response.json()["technician_id"] == tech.pk


def test_reassign_through_the_api(api, repair, tech, make_technician, dispatcher):
    other = make_technician()
    office = api(dispatcher)
    office.post(f"/requests/{repair.number}/assign", {"technician_id": tech.pk})
    response = office.post(f"/requests/{repair.number}/reassign", {"technician_id": other.pk, "reason": ""})
    assert response.status_code == 422
    response = office.post(
        f"/requests/{repair.number}/reassign", {"technician_id": other.pk, "reason": "病假"}
    )
    assert response.status_code == 201 and response.json()["technician_id"] == other.pk


def test_technician_sees_only_their_own_work_orders(api, repair, tech, make_technician, dispatcher, flow):
    wo = flow.assign(repair, tech)
    stranger = make_technician()
    assert api(stranger.user).get(f"/work-orders/{wo.pk}").status_code == 404
    assert api(stranger.user).post(f"/work-orders/{wo.pk}/check-in").status_code == 404
    assert api(stranger.user).get("/work-orders").json()["count"] == 0
    assert api(tech.user).get("/work-orders").json()["items"][0]["number"] == wo.number
    assert api(tech.user).get(f"/requests/{repair.number}/candidates").status_code == 403


def test_signature_upload_that_is_not_png_gives_422(api, repair, tech, flow):
    wo = flow.working(repair, tech)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api(tech.user).upload(
        f"/work-orders/{wo.pk}/signature",
        {"image": SimpleUploadedFile("s.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 40), "signer_name": "张伟"},
    )
    assert response.status_code == 422 and response.json()["code"] == "signature_not_png"


def test_unsigned_work_order_waived_through_the_api(api, repair, tech, flow, dispatcher):
    wo = flow.working(repair, tech)
    body = api(tech.user).post(f"/work-orders/{wo.pk}/finish", {"resolution": "修复"}).json()
    assert body["signature_missing"] is True
    assert api(tech.user).post(f"/work-orders/{wo.pk}/waive-signature", {"reason": "x"}).status_code == 403
    body = api(dispatcher).post(f"/work-orders/{wo.pk}/waive-signature", {"reason": "客户视力障碍"}).json()
    assert body["signature_missing"] is False and body["signature_waived"] is True


def test_field_steps_through_the_api(api, repair, delivery, tech, make_technician, flow, clock):
    field = api(tech.user)
    wo = flow.confirm(flow.assign(repair, tech))
    path = f"/work-orders/{wo.pk}"
    later = wo.appointment_start + dt.timedelta(hours=1)
    response = field.post(
        f"{path}/announce-delay",
        {
            "appointment_start": iso(later),
            "appointment_end": iso(later + dt.timedelta(hours=2)),
            "reason": "堵车",
        },
    )
    assert response.status_code == 200 and response.json()["contacts"][-1]["kind"] == "delay"
    assert field.post(f"{path}/customer-absent", {"note": "无人"}).json()["status"] == "customer_absent"
    start = dt.datetime(2026, 11, 24, 9, tzinfo=SH)
    field.post(
        f"{path}/confirm-appointment",
        {
            "appointment_start": iso(start),
            "appointment_end": iso(start + dt.timedelta(hours=2)),
            "confirmed_items": ALL_ITEMS,
        },
    )
    clock.set(start)
    field.post(f"{path}/check-in")
    field.post(f"{path}/diagnosis", {"diagnosis": "主板故障"})
    field.post(f"{path}/begin-work")
    assert field.post(f"{path}/wait-parts", {"note": "主板缺货"}).json()["status"] == "waiting_parts"
    assert field.post(f"{path}/resume").json()["status"] == "working"
    body = field.post(f"{path}/carry-back", {"loaner_serial": "LN-9", "unit_condition": "完好"}).json()
    receipt = body["carry_backs"][0]["receipt_number"]
    assert body["status"] == "carried_back"
    response = field.post(f"{path}/return-unit", {"receipt_number": receipt})
    assert response.status_code == 422 and response.json()["code"] == "loaner_not_returned"
    body = field.post(f"{path}/return-unit", {"receipt_number": receipt, "loaner_returned": True}).json()
    assert body["status"] == "working" and body["carry_backs"][0]["receipt_taken_back"] is True

    dwo = flow.diagnose(flow.check_in(flow.confirm(flow.assign(delivery, tech))))
    tomorrow = dt.datetime(2026, 11, 25, 10, tzinfo=SH)
    response = field.post(
        f"/work-orders/{dwo.pk}/dead-on-arrival",
        {
            "defect": "外壳破损",
            "appointment_start": iso(tomorrow),
            "appointment_end": iso(tomorrow + dt.timedelta(hours=2)),
        },
    )
    assert response.status_code == 201
    assert response.json()["replaces"] == dwo.number and response.json()["status"] == "scheduled"


def test_cancel_through_the_api(api, repair, tech, flow, agent):
    wo = flow.assign(repair, tech)
    assert api(tech.user).post(f"/work-orders/{wo.pk}/cancel", {"reason": "x"}).status_code == 403
    body = api(agent).post(f"/work-orders/{wo.pk}/cancel", {"reason": "客户撤销"}).json()
    assert body["status"] == "cancelled"


def test_daily_report_through_the_api(api, repair, tech, flow, clock, dispatcher):
    wo = flow.working(repair, tech)
    start = clock.at
    clock.advance(hours=1)
    field = api(tech.user)
    field.post(
        f"/work-orders/{wo.pk}/labor",
        {"started_at": iso(start), "ended_at": iso(clock.at), "description": "修"},
    )
    draft = field.get("/daily-reports/draft", day="2026-11-23").json()
    assert draft["total_minutes"] == 60 and draft["lines"][0]["request"] == repair.number
    assert draft["deadline"] == "2026-11-24T10:00:00+08:00"
    clock.set(dt.datetime(2026, 11, 24, 11, 0, tzinfo=SH))
    response = field.post("/daily-reports", {"day": "2026-11-23", "note": "一单"})
    assert response.status_code == 201 and response.json()["late"] is True
    assert field.post("/daily-reports", {"day": "2026-11-23"}).status_code == 409
    listed = api(dispatcher).get("/daily-reports", late=True).json()
    assert listed["count"] == 1 and listed["items"][0]["technician_id"] == tech.pk
    assert (
        api(dispatcher).get("/daily-reports/draft", day="2026-11-23", technician_id=tech.pk).status_code
        == 200
    )


def test_reference_data_endpoints(api, tech, fee_items, dispatcher, manager, skills, product_model):
    assert {s["request_type"] for s in api(dispatcher).get("/skills").json()} == {
        "delivery",
        "installation",
        "repair",
        "maintenance",
    }
    items = api(tech.user).get("/fee-schedule", category_id=product_model.category_id).json()
    assert {i["code"] for i in items} == {"visit", "ac-compressor-labor", "ac-compressor"}
    technicians = api(dispatcher).get("/technicians").json()
    assert technicians[0]["certifications"][0]["expires_on"] == "2027-12-31"
    body = {
        "skill": "repair-ac",
        "category": "air_conditioner",
        "issued_on": "2026-11-01",
        "expires_on": "2028-10-31",
    }
    assert api(dispatcher).post(f"/technicians/{tech.pk}/certifications", body).status_code == 403
    response = api(manager).post(f"/technicians/{tech.pk}/certifications", body)
    assert response.status_code == 201
    assert "2028-10-31" in {c["expires_on"] for c in response.json()["certifications"]}
    bad = {**body, "expires_on": "2026-01-01"}
    assert api(manager).post(f"/technicians/{tech.pk}/certifications", bad).status_code == 422
