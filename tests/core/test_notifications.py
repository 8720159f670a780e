"""The outbox: idempotent writing, signed webhook delivery, retries, and a dead worker's lease."""

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from aftersales.core.clock import frozen_at
from aftersales.core.models import Notification
from aftersales.core.notifications import claim_due, deliver_due, notify

SH = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=SH)


@pytest.fixture
def webhook_receiver(settings):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(204 if len(received) > received_fail[0] else 500)
            self.end_headers()

        def log_message(self, *args):
            pass

    received_fail = [0]
    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.AFTERSALES = {
        **settings.AFTERSALES,
        "WEBHOOK_URL": f"http://127.0.0.1:{server.server_port}/hook",
        "WEBHOOK_SECRET": "s3cret",
    }
    yield received, received_fail
    server.shutdown()


def test_notify_twice_for_one_event_writes_once(agent):
    notify(recipients=[agent], kind="k", subject="s", body="b", event_key="e1")
    notify(recipients=[agent, agent], kind="k", subject="s", body="b", event_key="e1")
    assert Notification.objects.filter(recipient=agent).count() == 1


def test_webhook_is_signed_with_hmac_and_delivered_once(agent, webhook_receiver):
    received, _ = webhook_receiver
    with frozen_at(T0):
        notify(recipients=[agent], kind="sla_breach", subject="SR-1 超时", body="b", event_key="e2")
        assert deliver_due() == 1
        assert deliver_due() == 0
    assert len(received) == 1
    headers, body = received[0]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Aftersales-Signature"] == expected
    assert json.loads(body)["subject"] == "SR-1 超时"
    row = Notification.objects.get(channel="webhook")
    assert row.status == "sent" and headers["X-Aftersales-Delivery"] == str(row.pk)


def test_failed_delivery_is_retried_later(agent, webhook_receiver):
    received, fail_first = webhook_receiver
    fail_first[0] = 1
    with frozen_at(T0):
        notify(recipients=[agent], kind="k", subject="s", body="b", event_key="e3")
        deliver_due()
    row = Notification.objects.get(channel="webhook")
    assert row.status == "pending" and row.attempts == 1 and row.next_attempt_at > T0
    with frozen_at(T0 + dt.timedelta(seconds=5)):
        assert deliver_due() == 0  # not due yet: backoff
    with frozen_at(T0 + dt.timedelta(minutes=5)):
        deliver_due()
    assert Notification.objects.get(channel="webhook").status == "sent"
    assert len(received) == 2


def test_a_dead_workers_claim_expires_and_another_delivers(agent, webhook_receiver):
    received, _ = webhook_receiver
    with frozen_at(T0):
        notify(recipients=[agent], kind="k", subject="s", body="b", event_key="e4")
        claimed = claim_due()  # this worker dies here, before sending
    assert len(claimed) == 1
    with frozen_at(T0 + dt.timedelta(seconds=30)):
        assert deliver_due() == 0  # the lease still holds: nobody else sends it
    with frozen_at(T0 + dt.timedelta(seconds=61)):
        assert deliver_due() == 1
    assert len(received) == 1


def test_email_goes_out_when_smtp_is_configured(agent, settings, mailoutbox):
    settings.EMAIL_HOST = "smtp.example.cn"
    agent.email = "agent@example.cn"
    agent.save()
    with frozen_at(T0):
        notify(recipients=[agent], kind="k", subject="到期提醒", body="正文", event_key="e5")
        deliver_due()
    assert [m.subject for m in mailoutbox] == ["到期提醒"]
