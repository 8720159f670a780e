"""Call-center data: imported call records and agent states, interval rollups, and the inputs no ACD has.

Call records and agent state events are written in bulk by the import (one
row per call, unique per source and call id, so importing the same file twice
changes nothing). Rollups are additive counters per period and scope, read by
every page. Schedules, center costs, QA scores and headcount (agents' hire and
leave dates) are entered in the system.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .engine.metrics import METRICS
from .engine.policy import DEFAULT_ACW_REASONS
from .engine.records import CallResult


class Source(models.TextChoices):
    ASTERISK = "asterisk", _("Asterisk queue_log")
    CSV = "csv", _("Call-record CSV")


class ImportFormat(models.TextChoices):
    QUEUE_LOG = "queue_log", _("Asterisk queue_log file")
    QUEUE_LOG_TABLE = "queue_log_table", _("Asterisk queue_log table (CSV export)")
    CSV = "csv", _("Call-record CSV")


class Result(models.TextChoices):
    ANSWERED = CallResult.ANSWERED, _("answered")
    ABANDONED = CallResult.ABANDONED, _("abandoned")
    TIMEOUT = CallResult.TIMEOUT, _("timed out")
    IVR = CallResult.IVR, _("ended in IVR")
    BLOCKED = CallResult.BLOCKED, _("blocked")


class CallCenterPolicy(models.Model):
    """The numbers that pin the metric definitions and the staffing defaults (one row).

    Defaults are the regulation's; changing one recomputes every rollup.
    """

    short_abandon_seconds = models.PositiveIntegerField(
        _("short abandon threshold (s)"),
        default=20,
        help_text=_(
            "Abandons that waited this long or less are left out of the abandonment rate and the service level."
        ),
    )
    service_level_seconds = models.PositiveIntegerField(_("service level answer time T (s)"), default=20)
    service_level_target = models.DecimalField(
        _("service level target"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.800"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("0.999"))],
    )
    misdial_min_seconds = models.PositiveIntegerField(_("misdial abandon from (s)"), default=1)
    misdial_max_seconds = models.PositiveIntegerField(_("misdial abandon to (s)"), default=5)
    queue_placement_min_wait_seconds = models.PositiveIntegerField(
        _("queued call counts as placed in queue after (s)"), default=0
    )
    fcr_window_days = models.PositiveIntegerField(
        _("repeat-call window for first-call resolution (days)"), default=7, validators=[MinValueValidator(1)]
    )
    ring_cycle_seconds = models.DecimalField(
        _("ring cycle (s)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("5.0"),
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    acw_pause_reasons = models.CharField(
        _("pause reasons meaning after-call work"),
        max_length=300,
        default=",".join(DEFAULT_ACW_REASONS),
        help_text=_("Comma-separated, case-insensitive."),
    )
    time_zone = models.CharField(_("time zone of the reports"), max_length=64, default="Asia/Shanghai")
    ivr_close_after_hours = models.PositiveIntegerField(
        _("close a call seen only outside queues after (h)"), default=4
    )
    agent_state_lookback_hours = models.PositiveIntegerField(
        _("read agent states this far before a recomputed period (h)"), default=24
    )
    shrinkage = models.DecimalField(
        _("shrinkage"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.300"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.95"))],
    )
    max_occupancy = models.DecimalField(
        _("maximum occupancy"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.850"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("1"))],
    )
    patience_seconds = models.PositiveIntegerField(_("mean caller patience for Erlang A (s)"), default=120)
    forecast_weeks = models.PositiveIntegerField(_("weeks of history in a forecast"), default=4)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("call-center policy")
        verbose_name_plural = _("call-center policy")

    def __str__(self) -> str:
        return str(_("call-center policy"))


METRIC_CHOICES = [(m.code, f"{m.number}. {m.name_zh} / {m.name_en}") for m in METRICS]


class MetricRange(models.Model):
    """The center's own recommended range for a metric, replacing the regulation's default."""

    metric = models.CharField(_("metric"), max_length=40, choices=METRIC_CHOICES, unique=True)
    low = models.DecimalField(_("low"), max_digits=12, decimal_places=4, null=True, blank=True)
    high = models.DecimalField(_("high"), max_digits=12, decimal_places=4, null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("metric range")
        verbose_name_plural = _("metric ranges")

    def __str__(self) -> str:
        return self.metric


class Team(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """A hotline agent (话务员) as the ACD knows them, with the HR facts turnover needs."""

    code = models.CharField(_("ACD agent code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("team"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("user account"),
    )
    full_time = models.BooleanField(_("full time"), default=True)
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("call center", "agent")
        verbose_name_plural = pgettext_lazy("call center", "agents")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class ImportBatch(models.Model):
    """One imported file and what it turned into."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        DUPLICATE = "duplicate", _("already imported")
        FAILED = "failed", _("failed")

    file_name = models.CharField(_("file"), max_length=255)
    format = models.CharField(_("format"), max_length=20, choices=ImportFormat.choices)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size_bytes = models.BigIntegerField(_("size (bytes)"), default=0)
    time_zone = models.CharField(_("time zone"), max_length=64)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RUNNING)
    lines = models.BigIntegerField(_("lines"), default=0)
    blank_lines = models.BigIntegerField(_("blank lines"), default=0)
    ignored_events = models.BigIntegerField(_("events not used"), default=0)
    calls_read = models.BigIntegerField(_("calls read"), default=0)
    calls_new = models.BigIntegerField(_("new calls"), default=0)
    agent_events_new = models.BigIntegerField(_("new agent events"), default=0)
    open_calls = models.BigIntegerField(_("calls still open"), default=0)
    error_count = models.BigIntegerField(_("unreadable lines"), default=0)
    errors = models.JSONField(_("unreadable lines (first ones)"), default=list, blank=True)
    data_start = models.DateTimeField(_("data from"), null=True, blank=True)
    data_end = models.DateTimeField(_("data to"), null=True, blank=True)
    message = models.TextField(pgettext_lazy("import", "message"), blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("same file as")
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("imported by"),
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class CallRecord(models.Model):
    """One call as the center received it (呼叫记录), from whichever ACD."""

    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    call_id = models.CharField(_("call id"), max_length=80)
    queue = models.CharField(_("queue"), max_length=80, blank=True)
    agent_code = models.CharField(pgettext_lazy("call center", "agent"), max_length=80, blank=True)
    call_type = models.CharField(_("call type"), max_length=80, blank=True)
    customer_phone = models.CharField(_("caller"), max_length=40, blank=True)
    offered_at = models.DateTimeField(_("offered at"))
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    answered_at = models.DateTimeField(pgettext_lazy("call", "answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    wait_seconds = models.FloatField(_("wait (s)"), null=True, blank=True)
    talk_seconds = models.FloatField(_("talk (s)"), null=True, blank=True)
    hold_seconds = models.FloatField(_("hold (s)"), null=True, blank=True)
    wrap_seconds = models.FloatField(_("after-call work (s)"), null=True, blank=True)
    rings = models.IntegerField(_("rings"), null=True, blank=True)
    ring_seconds = models.FloatField(_("ring time (s)"), null=True, blank=True)
    rna_count = models.IntegerField(_("agents rung without answer"), null=True, blank=True)
    rna_seconds = models.FloatField(_("unanswered ring time (s)"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    transferred = models.BooleanField(_("transferred"), default=False)
    exit_event = models.CharField(_("ending event"), max_length=32, blank=True)
    service_request_number = models.CharField(
        _("service request"),
        max_length=40,
        blank=True,
        db_index=True,
        help_text=_(
            "The request this call was about; repeat calls about the same request count against first-call resolution."
        ),
    )
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("import")
    )

    class Meta:
        verbose_name = _("call record")
        verbose_name_plural = _("call records")
        constraints = [models.UniqueConstraint(fields=["source", "call_id"], name="callcenter_call_unique")]
        indexes = [
            models.Index(fields=["offered_at"], name="callcenter_call_offered_idx"),
            models.Index(fields=["agent_code", "offered_at"], name="callcenter_call_agent_idx"),
            models.Index(fields=["customer_phone", "offered_at"], name="callcenter_call_phone_idx"),
        ]

    def __str__(self) -> str:
        return self.call_id


class AgentStateEvent(models.Model):
    """An agent joined or left a queue, paused or unpaused (from queue_log)."""

    agent_code = models.CharField(pgettext_lazy("call center", "agent"), max_length=80)
    queue = models.CharField(_("queue"), max_length=80, blank=True)
    event = models.CharField(_("event"), max_length=32)
    occurred_at = models.DateTimeField(_("at"))
    reason = models.CharField(_("reason"), max_length=80, blank=True)
    seq = models.BigIntegerField(_("line"), default=0)

    class Meta:
        verbose_name = _("agent state event")
        verbose_name_plural = _("agent state events")
        constraints = [
            models.UniqueConstraint(
                fields=["agent_code", "occurred_at", "event", "queue", "reason"],
                name="callcenter_agent_event_unique",
            )
        ]
        indexes = [models.Index(fields=["occurred_at"], name="callcenter_agent_event_at_idx")]

    def __str__(self) -> str:
        return f"{self.agent_code} {self.event}"


class OpenCall(models.Model):
    """A call without its ending yet: the mergeable partial row kept for the next import."""

    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    call_id = models.CharField(_("call id"), max_length=80)
    last_seen_at = models.DateTimeField(_("last event at"))
    partial = models.JSONField(_("partial call"))

    class Meta:
        verbose_name = _("open call")
        verbose_name_plural = _("open calls")
        constraints = [
            models.UniqueConstraint(fields=["source", "call_id"], name="callcenter_open_call_unique")
        ]

    def __str__(self) -> str:
        return self.call_id


class Granularity(models.TextChoices):
    # A context keeps these short words apart from the same words in other apps' catalogs.
    HALFHOUR = "halfhour", pgettext_lazy("interval", "half hour")
    HOUR = "hour", pgettext_lazy("interval", "hour")
    DAY = "day", pgettext_lazy("interval", "day")
    WEEK = "week", pgettext_lazy("interval", "week")
    MONTH = "month", pgettext_lazy("interval", "month")


class Scope(models.TextChoices):
    CENTER = "center", _("whole center")
    QUEUE = "queue", _("queue")
    AGENT = "agent", pgettext_lazy("call center", "agent")


class IntervalRollup(models.Model):
    """Additive counters of one period for one scope; metrics are ratios of these.

    ``agent_code`` is set for agent rows, ``queue`` for queue rows, neither for the center.
    """

    granularity = models.CharField(_("interval"), max_length=8, choices=Granularity.choices)
    period_start = models.DateTimeField(_("period start"))
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    agent_code = models.CharField(pgettext_lazy("call center", "agent"), max_length=80, blank=True)
    queue = models.CharField(_("queue"), max_length=80, blank=True)

    calls_total = models.BigIntegerField(default=0)
    calls_blocked = models.BigIntegerField(default=0)
    calls_ivr = models.BigIntegerField(default=0)
    calls_received = models.BigIntegerField(default=0)
    calls_queued = models.BigIntegerField(default=0)
    calls_offered = models.BigIntegerField(default=0)
    calls_answered = models.BigIntegerField(default=0)
    calls_abandoned = models.BigIntegerField(default=0)
    calls_short_abandoned = models.BigIntegerField(default=0)
    calls_misdial_abandoned = models.BigIntegerField(default=0)
    calls_timeout = models.BigIntegerField(default=0)
    calls_placed_in_queue = models.BigIntegerField(default=0)
    calls_answered_in_sl = models.BigIntegerField(default=0)
    calls_answered_queued = models.BigIntegerField(default=0)
    calls_transferred = models.BigIntegerField(default=0)
    calls_fcr_eligible = models.BigIntegerField(default=0)
    calls_fcr_resolved = models.BigIntegerField(default=0)
    wait_answered_seconds = models.FloatField(default=0)
    wait_answered_queued_seconds = models.FloatField(default=0)
    abandon_wait_seconds = models.FloatField(default=0)
    talk_seconds = models.FloatField(default=0)
    hold_seconds = models.FloatField(default=0)
    hold_calls = models.BigIntegerField(default=0)
    wrap_seconds = models.FloatField(default=0)
    wrap_calls = models.BigIntegerField(default=0)
    rings_total = models.BigIntegerField(default=0)
    rings_calls = models.BigIntegerField(default=0)
    rna_count = models.BigIntegerField(default=0)
    rna_seconds = models.FloatField(default=0)
    busy_seconds = models.FloatField(default=0)
    logged_in_seconds = models.FloatField(default=0)
    ready_seconds = models.FloatField(default=0)
    paused_seconds = models.FloatField(default=0)
    acw_seconds = models.FloatField(default=0)
    scheduled_seconds = models.FloatField(default=0)
    ready_in_schedule_seconds = models.FloatField(default=0)
    shifts_scheduled = models.BigIntegerField(default=0)
    shifts_present = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("interval rollup")
        verbose_name_plural = _("interval rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["granularity", "scope", "period_start", "agent_code", "queue"],
                name="callcenter_rollup_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.granularity} {self.period_start:%Y-%m-%d %H:%M} {self.scope} {self.agent_code}{self.queue}"


class AgentSchedule(models.Model):
    """A scheduled shift (排班): the time an agent is planned to take calls."""

    agent = models.ForeignKey(
        Agent, on_delete=models.CASCADE, verbose_name=pgettext_lazy("call center", "agent")
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("to"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agent schedule")
        verbose_name_plural = _("agent schedules")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="callcenter_schedule_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.start:%Y-%m-%d %H:%M}"


class CenterCost(models.Model):
    """The center's total cost for a period (salaries, lines, rent...), spread evenly over its days."""

    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    amount = models.DecimalField(
        _("amount (CNY)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("entered by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("center cost")
        verbose_name_plural = _("center costs")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")), name="callcenter_cost_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_day}–{self.last_day} ¥{self.amount}"


class MonitoringScore(models.Model):
    """A QA score (监听评分, 0-100) of one monitored call."""

    agent = models.ForeignKey(
        Agent, on_delete=models.CASCADE, verbose_name=pgettext_lazy("call center", "agent")
    )
    call_id = models.CharField(_("call id"), max_length=80, blank=True)
    scored_at = models.DateTimeField(_("scored at"))
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("scored by")
    )

    class Meta:
        verbose_name = _("monitoring score")
        verbose_name_plural = _("monitoring scores")
        ordering = ["-scored_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=100), name="callcenter_score_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.score}"
