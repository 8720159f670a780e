"""Retention: a complaint is kept at least 1 year after it closes (an important one for good);
deletion inside that time is refused by the service, the API, the pages and the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from complaints_support import TO_NOTIFIED, at
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from aftersales.complaints import services as s
from aftersales.complaints.models import Complaint, ComplaintRound
from aftersales.core.clock import frozen_at
from aftersales.core.errors import PermissionRefused, TransitionRefused
from aftersales.core.history import history_of
from aftersales.core.models import HistoryEntry
from aftersales.service.models import ServiceRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived(register, flow):
    """A complaint archived on 2026-11-26 (closed by the satisfied follow-up on 2026-11-25)."""
    sr = flow.through(register(at(2026, 11, 24, 9, 0)).complaint.request, TO_NOTIFIED, at(2026, 11, 24, 9, 0))
    flow.run(sr, "follow_up", at(2026, 11, 25, 9, 0), satisfied=True)
    return flow.run(sr, "archive", at(2026, 11, 26, 9, 0))


def client_for(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_retention_runs_one_year_from_closing(archived):
    assert Complaint.objects.get(request=archived).retained_until(1) == dt.date(2027, 11, 25)


def test_deletion_within_the_retention_period_is_refused(archived, manager):
    with frozen_at(at(2027, 11, 25, 23, 0)), pytest.raises(TransitionRefused) as exc:
        s.delete_complaint(request=archived, actor=manager)
    assert exc.value.code == "within_retention" and exc.value.params["date"] == "2027-11-25"
    assert Complaint.objects.filter(request=archived).exists()


def test_deletion_after_the_retention_period_removes_the_complaint_and_keeps_the_history(archived, manager):
    number, pk = archived.number, archived.pk
    with frozen_at(at(2027, 11, 26, 9, 0)):
        s.delete_complaint(request=archived, actor=manager)
    assert not ServiceRequest.objects.filter(number=number).exists()
    assert not Complaint.objects.exists() and not ComplaintRound.objects.exists()
    kind = ContentType.objects.get_for_model(ServiceRequest)
    events = list(
        HistoryEntry.objects.filter(subject_type=kind, subject_id=pk)
        .order_by("at", "id")
        .values_list("event", flat=True)
    )
    assert events[0] == "registered" and events[-1] == "complaint_deleted"


def test_an_important_complaint_is_never_deleted(archived, manager, quality):
    with frozen_at(at(2026, 12, 1, 9, 0)):
        s.set_important(request=archived, important=True, reason="媒体曝光的重大投诉", actor=quality)
    with frozen_at(at(2036, 1, 1, 9, 0)), pytest.raises(TransitionRefused) as exc:
        s.delete_complaint(request=archived, actor=manager)
    assert exc.value.code == "kept_for_good"
    assert "complaint_important" in [h.event for h in history_of(archived)]


def test_only_a_manager_lifts_the_important_mark(archived, quality, manager):
    with frozen_at(at(2026, 12, 1, 9, 0)):
        s.set_important(request=archived, important=True, reason="重要", actor=quality)
        with pytest.raises(PermissionRefused):
            s.set_important(request=archived, important=False, reason="误标", actor=quality)
        s.set_important(request=archived, important=False, reason="误标", actor=manager)
    assert not Complaint.objects.get(request=archived).important


def test_an_open_complaint_cannot_be_deleted(register, manager):
    sr = register().complaint.request
    with frozen_at(at(2030, 1, 1)), pytest.raises(TransitionRefused) as exc:
        s.delete_complaint(request=sr, actor=manager)
    assert exc.value.code == "complaint_not_closed"


def test_a_quality_specialist_may_not_delete(archived, quality):
    with frozen_at(at(2028, 1, 1)), pytest.raises(PermissionRefused):
        s.delete_complaint(request=archived, actor=quality)


def test_an_invalid_complaint_is_kept_a_year_from_its_closing(register, agent, manager):
    sr = register(at(2026, 2, 28, 9, 0)).complaint.request
    with frozen_at(at(2026, 2, 28, 10, 0)):
        s.invalidate_complaint(request=sr, explanation="误解", actor=agent)
    assert Complaint.objects.get(request=sr).retained_until(1) == dt.date(2027, 2, 28)
    with frozen_at(at(2027, 2, 28, 12, 0)), pytest.raises(TransitionRefused):
        s.delete_complaint(request=sr, actor=manager)


def test_retention_years_is_a_setting(archived, manager, settings):
    settings.AFTERSALES = {**settings.AFTERSALES, "COMPLAINT_RETENTION_YEARS": 3}
    with frozen_at(at(2028, 1, 1)), pytest.raises(TransitionRefused) as exc:
        s.delete_complaint(request=archived, actor=manager)
    assert exc.value.params["date"] == "2029-11-25"


def test_api_delete_is_refused_within_retention_and_allowed_after(archived, manager):
    client = client_for(manager)
    with frozen_at(at(2027, 6, 1, 9, 0)):
        response = client.delete(f"/api/v1/complaints/{archived.number}")
    assert response.status_code == 409
    assert response.json()["code"] == "within_retention" and "2027-11-25" in response.json()["message"]
    with frozen_at(at(2027, 12, 1, 9, 0)):
        response = client.delete(f"/api/v1/complaints/{archived.number}")
    assert response.status_code == 204
    assert not ServiceRequest.objects.filter(pk=archived.pk).exists()


def test_page_delete_is_refused_within_retention(archived, manager):
    client = client_for(manager)
    with frozen_at(at(2027, 6, 1, 9, 0)):
        page = client.get(f"/complaints/{archived.number}/").content.decode()
        assert 'data-testid="deletion-refusal"' in page and 'data-testid="delete"' not in page
        response = client.post(f"/complaints/{archived.number}/delete/", follow=True)
    assert "2027-11-25" in response.content.decode()
    assert Complaint.objects.filter(request=archived).exists()


def test_admin_refuses_deletion_within_retention(archived, make_user):
    from django.contrib.admin.sites import site

    from aftersales.complaints.models import Complaint as Model

    admin_user = make_user("admin", "root", is_staff=True, is_superuser=True)
    complaint = Model.objects.get(request=archived)
    model_admin = site._registry[Model]
    request = type("R", (), {"user": admin_user})()
    with frozen_at(at(2027, 6, 1, 9, 0)):
        assert model_admin.has_delete_permission(request, complaint) is False
        client = client_for(admin_user)
        response = client.post(f"/admin/complaints/complaint/{complaint.pk}/delete/", {"post": "yes"})
        assert response.status_code == 403
    assert Model.objects.filter(pk=complaint.pk).exists()
    assert "delete_selected" not in model_admin.get_actions(type("R", (), {"user": admin_user, "GET": {}})())
    with frozen_at(at(2027, 12, 1, 9, 0)):
        assert model_admin.has_delete_permission(request, complaint) is True
        response = client_for(admin_user).post(
            f"/admin/complaints/complaint/{complaint.pk}/delete/", {"post": "yes"}
        )
        assert response.status_code == 302
    assert not Model.objects.filter(pk=complaint.pk).exists()
