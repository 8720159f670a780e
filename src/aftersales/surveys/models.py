"""Satisfaction surveys (满意度调查): questionnaires in versions, surveys, invitations by link, responses.

A questionnaire is designed in versions: a draft is edited, then published; a published
version is never changed (a new draft is copied from it). A response keeps the version it
answered, so results stay true to the questions people saw. Questions keep a ``key`` from
version to version, so results of one question add up across versions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

_USER = settings.AUTH_USER_MODEL


class Topic(models.TextChoices):
    """The sections the regulations name for a satisfaction questionnaire."""

    TECHNICAL_INSTALLATION = "technical_installation", _("Technical installation")
    SYSTEM_OPERATION = "system_operation", _("System operation")
    PROJECT_IMPLEMENTATION = "project_implementation", _("Project implementation")
    AFTER_SALES = "after_sales", _("After-sales service")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating 1–5")
    YES_NO = "yes_no", _("Yes / no")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    TEXT = "text", _("Free text")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Replaced")


class Audience(models.TextChoices):
    ALL = "all", _("All customers")
    PERSON = "person", _("Individual customers")
    COMPANY = "company", _("Business customers")


class SurveyStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("survey", "Open")
    CLOSED = "closed", pgettext_lazy("survey", "Closed")


class ResponseChannel(models.TextChoices):
    PHONE = "phone", _("By phone (agent)")
    WEB = "web", _("Web link")
    PAPER = "paper", _("Paper form (letter or on site)")


class InvitationChannel(models.TextChoices):
    SMS = "sms", _("Text message")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter (printed link)")
    WECHAT = "wechat", _("WeChat")


class Questionnaire(models.Model):
    code = models.SlugField(_("code"), max_length=48, unique=True)
    title = models.CharField(_("questionnaire title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title

    def published_version(self) -> QuestionnaireVersion | None:
        return self.versions.filter(status=VersionStatus.PUBLISHED).first()

    def draft_version(self) -> QuestionnaireVersion | None:
        return self.versions.filter(status=VersionStatus.DRAFT).first()


class QuestionnaireVersion(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="versions", verbose_name=_("questionnaire")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ["questionnaire", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="qversion_number_uniq"),
            models.UniqueConstraint(
                fields=["questionnaire"], condition=Q(status="published"), name="qversion_one_published"
            ),
            models.UniqueConstraint(
                fields=["questionnaire"], condition=Q(status="draft"), name="qversion_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number}"

    @property
    def editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class Section(models.Model):
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(_("position"))
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices, default=Topic.AFTER_SALES)
    title = models.CharField(_("section title"), max_length=120)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["version", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    # Stable across versions: results of "the same question" add up over versions.
    key = models.SlugField(_("key"), max_length=48)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("question type"), max_length=16, choices=QuestionKind.choices)
    required = models.BooleanField(_("required"), default=True)
    options = models.JSONField(_("answer options"), default=list, blank=True)
    # Choices that mean "satisfied" (a choice question without any is not counted in the rate).
    satisfied_options = models.JSONField(_("options that count as satisfied"), default=list, blank=True)
    # For yes/no questions worded negatively ("Did anything go wrong?") "no" is the satisfied answer.
    yes_is_satisfied = models.BooleanField(_("“yes” means satisfied"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["section", "position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def counts_for_rate(self) -> bool:
        if self.kind in (QuestionKind.RATING, QuestionKind.YES_NO):
            return True
        if self.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            return bool(self.satisfied_options)
        return False


class Survey(models.Model):
    """One round of a questionnaire put to customers (e.g. 2026年第三季度安装满意度调查)."""

    name = models.CharField(_("name"), max_length=200)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("questionnaire")
    )
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices, default=Audience.ALL)
    intro = models.TextField(_("introduction shown to the customer"), blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.OPEN
    )
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="survey_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """A customer's personal link to a survey: an unguessable token, usable until they answer."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="survey_invitations"
    )
    request = models.ForeignKey(
        "service.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_invitations",
    )
    token = models.CharField(max_length=64, unique=True)
    channel = models.CharField(_("sent by"), max_length=12, choices=InvitationChannel.choices)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    answered_at = models.DateTimeField(pgettext_lazy("survey", "answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "customer"], name="invitation_one_per_customer")
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.customer}"


class Response(models.Model):
    """One customer's answers to one survey (a customer answers a survey once)."""

    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("survey")
    )
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="responses", verbose_name=_("version")
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="survey_responses",
        verbose_name=_("customer"),
    )
    # The customer's kind when they answered: the targets are set per kind.
    customer_kind = models.CharField(_("customer kind"), max_length=16)
    channel = models.CharField(_("answered through"), max_length=8, choices=ResponseChannel.choices)
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    request = models.ForeignKey(
        "service.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
        verbose_name=_("about request"),
    )
    # Whose work and which department the answers judge (from the request's technician).
    technician = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("technician"),
    )
    station = models.ForeignKey(
        "dispatch.Station",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("department"),
    )
    paper_form_number = models.CharField(_("paper form number"), max_length=32, blank=True)
    answered_at = models.DateTimeField(pgettext_lazy("survey", "answered at"), db_index=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    entered_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "customer"], name="response_one_per_customer")
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.customer}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    yes = models.BooleanField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    # Satisfied or not by the rule in force when answered; empty when the question is not rated.
    satisfied = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("survey", "answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question.key}: {self.display()}"

    def display(self) -> str:
        if self.rating is not None:
            return str(self.rating)
        if self.yes is not None:
            return str(_("Yes") if self.yes else _("No"))
        if self.choices:
            return "、".join(self.choices)
        return self.text
