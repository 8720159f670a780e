"""After the job: the callback closes the request, or the worker closes it after the configured days."""

import datetime as dt

from aftersales.core.history import history_of
from aftersales.dispatch import services, tasks
from aftersales.dispatch.models import WorkOrder
from aftersales.followup import services as followup_services
from aftersales.followup.models import Callback


def reload(obj):
    obj.refresh_from_db()
    return obj


def finished(flow, request, tech):
    return services.finish_work_order(
        work_order=flow.working(request, tech), resolution="修复", actor=tech.user
    )


def test_callback_completion_closes_the_request(repair, tech, flow, agent):
    finished(flow, repair, tech)
    callback = Callback.objects.get(request=repair)
    followup_services.complete_callback(callback=callback, outcome="客户满意", result="close", actor=agent)
    assert reload(repair).status == "closed"
    assert reload(callback).status == "done" and callback.done_by == agent


def test_auto_close_default_is_7_days(repair, tech, flow, clock):
    wo = finished(flow, repair, tech)
    clock.set(wo.finished_at + dt.timedelta(days=7) - dt.timedelta(minutes=1))
    assert tasks.auto_close_resolved_requests() == 0
    assert reload(repair).status == "resolved"
    clock.set(wo.finished_at + dt.timedelta(days=7))
    assert tasks.auto_close_resolved_requests() == 1
    assert reload(repair).status == "closed"
    closing = [h for h in history_of(repair) if h.new_state == "closed"][0]
    assert closing.actor.username == "system"
    # Idempotent: nothing left to close.
    assert tasks.auto_close_resolved_requests() == 0


def test_auto_close_after_the_configured_number_of_days(repair, tech, flow, clock, settings):
    settings.AFTERSALES = {**settings.AFTERSALES, "AUTO_CLOSE_DAYS": 3}
    wo = finished(flow, repair, tech)
    clock.set(wo.finished_at + dt.timedelta(days=3))
    assert tasks.auto_close_resolved_requests() == 1
    assert reload(repair).status == "closed"


def test_auto_close_leaves_requests_a_callback_already_closed_or_reopened(repair, tech, flow, clock, agent):
    wo = finished(flow, repair, tech)
    callback = Callback.objects.get(request=repair)
    followup_services.complete_callback(callback=callback, outcome="仍不制冷", result="reopen", actor=agent)
    clock.set(wo.finished_at + dt.timedelta(days=8))
    assert tasks.auto_close_resolved_requests() == 0
    assert reload(repair).status == "reopened"


def test_callback_after_auto_close_keeps_the_request_closed(repair, tech, flow, clock, agent):
    wo = finished(flow, repair, tech)
    clock.set(wo.finished_at + dt.timedelta(days=8))
    tasks.auto_close_resolved_requests()
    callback = Callback.objects.get(request=repair)
    followup_services.complete_callback(callback=callback, outcome="客户满意", result="close", actor=agent)
    assert reload(repair).status == "closed" and reload(callback).status == "done"


def test_rework_gets_a_new_work_order_after_reopen(repair, tech, flow, agent, dispatcher):
    first = finished(flow, repair, tech)
    callback = Callback.objects.get(request=repair)
    followup_services.complete_callback(
        callback=callback, outcome="同一故障再次出现", result="reopen", actor=agent
    )
    second = services.assign_work_order(
        request=reload(repair), technician=tech, actor=dispatcher, note="返修"
    )
    assert second.pk != first.pk and second.is_active and reload(repair).status == "assigned"


def test_work_order_of_a_request_cancelled_elsewhere_is_ended_by_the_worker(repair, tech, flow, agent):
    from aftersales.service.services import cancel_request

    wo = flow.assign(repair, tech)
    cancel_request(request=reload(repair), actor=agent, note="客户撤销")
    assert tasks.end_work_orders_of_closed_requests() == 1
    wo = WorkOrder.objects.get(pk=wo.pk)
    assert wo.status == "cancelled" and not wo.is_active
    assert tasks.end_work_orders_of_closed_requests() == 0
