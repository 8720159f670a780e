"""The demo's complaints: registers carried through the closed loop by the services."""

from __future__ import annotations

from collections import Counter

from django.core.management import call_command

from aftersales.complaints.models import Complaint, ComplaintRound


def test_demo_complaints_reach_every_part_of_the_loop_and_load_once(
    make_user, make_customer, make_unit, departments
):
    for name in ("agent", "agent2", "agent3"):
        make_user("agent", name)
    make_user("quality", "quality")
    make_user("manager", "manager")
    make_user("dispatcher", "dispatcher")
    for i in range(5):
        make_unit(make_customer(name=f"客户{i}"))

    call_command("complaints_demo", count=24)

    complaints = Complaint.objects.select_related("request")
    made = complaints.count()
    # A second complaint about a unit with one still open joins it (a repeat contact).
    assert 20 <= made <= 24
    states = Counter(c.request.status for c in complaints)
    # Registered only, in the middle of the loop, and at its end.
    assert states["new"] and states["archived"] and states["investigating"]
    assert len(states) >= 6
    archived = [c for c in complaints if c.request.status == "archived"]
    assert all(c.summary and c.lessons for c in archived)
    # A follow-up that found the customer unsatisfied opened a second round.
    assert ComplaintRound.objects.filter(number=2).exists()

    call_command("complaints_demo", count=24)
    assert Complaint.objects.count() == made
