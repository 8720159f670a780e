from django.urls import path

from . import views

app_name = "dispatch"

# One URL per work-order action, named after the action in ``workflow.py``.
WORK_ORDER_ACTIONS = [
    ("confirm-appointment", "confirm_appointment"),
    ("announce-delay", "announce_delay"),
    ("customer-absent", "customer_absent"),
    ("check-in", "check_in"),
    ("diagnosis", "diagnose"),
    ("fee-lines/add", "add_fee"),
    ("fee-lines/remove", "remove_fee"),
    ("consent/request", "request_consent"),
    ("consent/answer", "record_consent"),
    ("begin-work", "begin_work"),
    ("part-lines/add", "add_part"),
    ("labor/add", "add_labor"),
    ("wait-parts", "wait_parts"),
    ("resume", "resume"),
    ("carry-back", "carry_back"),
    ("return-unit", "return_unit"),
    ("dead-on-arrival", "dead_on_arrival"),
    ("signature", "sign"),
    ("waive-signature", "waive_signature"),
    ("payments/add", "collect_fees"),
    ("invoice", "issue_invoice"),
    ("finish", "finish"),
    ("cancel", "cancel"),
]

urlpatterns = [
    path("board/", views.board_page, name="board"),
    path("board/lists/", views.board_lists, name="board_lists"),
    path("board/requests/<str:number>/", views.board_panel, name="board_panel"),
    path("board/requests/<str:number>/assign/", views.assign, name="assign"),
    path("board/requests/<str:number>/reassign/", views.reassign, name="reassign"),
    path("board/requests/<str:number>/emergency/", views.request_emergency, name="request_emergency"),
    path("board/approvals/<int:approval_id>/approve/", views.approve_emergency, name="approve_emergency"),
    path("board/approvals/<int:approval_id>/reject/", views.reject_emergency, name="reject_emergency"),
    path("tech/", views.today, name="today"),
    path("tech/report/", views.daily_report, name="daily_report"),
    path("tech/report/submit/", views.submit_daily_report, name="submit_daily_report"),
    path("tech/work-orders/<int:pk>/", views.work_order_page, name="work_order"),
    path("tech/work-orders/<int:pk>/signature.png", views.signature_image, name="signature_image"),
    path("tech/work-orders/<int:pk>/photos/", views.add_photo, name="add_photo"),
    *(
        path(f"tech/work-orders/<int:pk>/{slug}/", getattr(views, action), name=action)
        for slug, action in WORK_ORDER_ACTIONS
    ),
]
