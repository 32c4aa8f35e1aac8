"""Executive reports: the owner's inputs, who receives each report, every run, task failures."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce

from charterops.models import Organization, validate_time_zone
from charterops.tenancy import OrgQuerySet, org_queryset
from events.models import Source


class ReportKind(models.TextChoices):
    CEO = "ceo", "CEO"
    CTO = "cto", "CTO"
    CMO = "cmo", "CMO"
    CFO = "cfo", "CFO"
    ACCOUNTING = "accounting", "Accounting"


# The platforms the owner plans to connect, in the order they plan them.
DEFAULT_PLATFORM_ORDER = "sailo, getmyboat, viator, getyourguide"
money = {"max_digits": 12, "decimal_places": 2, "null": True, "blank": True, "validators": [MinValueValidator(0)]}


def parse_platform_order(value: str) -> list[str]:
    return [part.strip().lower() for part in (value or "").replace("→", ",").split(",") if part.strip()]


def validate_platform_order(value: str) -> None:
    known = {choice.value for choice in Source}
    unknown = [name for name in parse_platform_order(value) if name not in known]
    if unknown:
        raise ValidationError(
            f"Unknown platform {', '.join(unknown)}: use {', '.join(sorted(known - {'direct', 'other'}))}."
        )


class OwnerInputs(models.Model):
    """Figures only the owner knows. One row for the whole portfolio (no brand), and one
    per brand. A figure left empty is reported as "not set", never guessed."""

    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_inputs",
        help_text="Empty: the whole portfolio.",
    )
    time_zone = models.CharField(
        max_length=64,
        default="America/Los_Angeles",
        validators=[validate_time_zone],
        help_text="Where the portfolio's weeks and months begin (a brand's reports use the brand's own zone).",
    )
    fixed_costs_monthly = models.DecimalField(
        **money, help_text="Fixed costs a month (moorage, insurance, salaries …). For the portfolio: shared overhead."
    )
    infrastructure_cost_monthly = models.DecimalField(
        **money, help_text="What hosting, email and services cost a month."
    )
    planned_platform_order = models.CharField(
        max_length=200,
        default=DEFAULT_PLATFORM_ORDER,
        blank=True,
        validators=[validate_platform_order],
        help_text="Booking platforms to connect, in order, e.g. sailo, getmyboat, viator, getyourguide.",
    )
    jwt_key_rotated_on = models.DateField(
        null=True, blank=True, help_text="When the crew sign-in signing key was last changed."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = "owner inputs"
        verbose_name_plural = "owner inputs"
        constraints = [
            # One row per brand and one for the portfolio (NULL never equals NULL, hence Coalesce).
            models.UniqueConstraint(Coalesce("organization", Value(0)), name="one_owner_inputs_per_scope"),
        ]

    def __str__(self) -> str:
        return f"Owner inputs — {self.organization or 'portfolio'}"

    @property
    def platform_order(self) -> list[str]:
        return parse_platform_order(self.planned_platform_order)


class MonthlyTarget(models.Model):
    """The gross the owner aims at in one month; the last one is the plan's horizon."""

    inputs = models.ForeignKey(OwnerInputs, on_delete=models.CASCADE, related_name="targets")
    month = models.DateField(help_text="Any day of the month; the first is stored.")
    gross = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])

    objects = org_queryset("inputs__organization").as_manager()

    class Meta:
        ordering = ["month"]
        constraints = [models.UniqueConstraint(fields=["inputs", "month"], name="one_target_per_month")]

    def __str__(self) -> str:
        return f"{self.month:%B %Y}: {self.gross}"

    def save(self, *args, **kwargs) -> None:
        self.month = self.month.replace(day=1)
        super().save(*args, **kwargs)


class Milestone(models.Model):
    """A goal the owner set (a campaign's 30/60/90-day milestone, a profitability step),
    measured from the data between its start and its due date."""

    class Kind(models.TextChoices):
        CAMPAIGN = "campaign", "Campaign (CMO)"
        PROFITABILITY = "profitability", "Profitability (Accounting)"

    class Metric(models.TextChoices):
        BOOKINGS = "bookings", "Bookings made"
        GUESTS = "guests", "Guests booked"
        CHARTERS = "charters", "Charters sailed"
        GROSS = "gross", "Gross of charters sailed ($)"
        NET = "net", "Net of charters sailed ($)"
        CONTACTS = "contacts", "Reachable guest contacts"

    inputs = models.ForeignKey(OwnerInputs, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    metric = models.CharField(max_length=16, choices=Metric.choices)
    target = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    starts_on = models.DateField()
    due_on = models.DateField()

    objects = org_queryset("inputs__organization").as_manager()

    class Meta:
        ordering = ["due_on", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.due_on and self.due_on < self.starts_on:
            raise ValidationError({"due_on": "A milestone is due after it starts."})


class RecipientList(models.Model):
    """Who receives one report, and from which address. Reports carry revenue: only the
    addresses listed here get them, and a crew member's address is refused."""

    report = models.CharField(max_length=16, choices=ReportKind.choices)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_recipients",
        help_text="Empty: the portfolio report (every brand). A brand: that brand's own report.",
    )
    from_email = models.CharField(
        max_length=254, help_text='A verified SES sender, e.g. "JADA reports <admin@sailjada.com>".'
    )
    to = models.TextField(help_text="One address per line (or separated by commas).")
    bcc = models.TextField(blank=True, help_text="The audit copy, e.g. the company's admin address.")
    active = models.BooleanField(default=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["report", "organization"]
        constraints = [
            models.UniqueConstraint("report", Coalesce("organization", Value(0)), name="one_recipient_list_per_report"),
        ]

    def __str__(self) -> str:
        return f"{self.get_report_display()} report — {self.organization or 'portfolio'}"

    @property
    def to_addresses(self) -> list[str]:
        return split_addresses(self.to)

    @property
    def bcc_addresses(self) -> list[str]:
        return split_addresses(self.bcc)


def split_addresses(value: str) -> list[str]:
    """Addresses from a text field: one per line or comma separated, duplicates dropped."""
    seen: dict[str, str] = {}
    for part in (value or "").replace(";", ",").replace("\n", ",").split(","):
        address = part.strip()
        if address and address.lower() not in seen:
            seen[address.lower()] = address
    return list(seen.values())


class ReportRun(models.Model):
    """One report for one period and scope, computed, archived and mailed (at most once)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued for sending"
        NO_RECIPIENTS = "no_recipients", "Archived, no recipients set"
        REFUSED = "refused", "Refused (recipient list)"

    report = models.CharField(max_length=16, choices=ReportKind.choices)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="report_runs"
    )
    period_start = models.DateField()
    period_end = models.DateField(help_text="The day after the period's last day.")
    period_label = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices)
    detail = models.TextField(blank=True, help_text="Why a run was not sent.")
    # Archived copies in the default storage (the HTML with its charts inlined, the CSV).
    html_path = models.CharField(max_length=300)
    text_path = models.CharField(max_length=300)
    csv_path = models.CharField(max_length=300)
    # [{"name": "chart-1.png", "path": "…", "content_id": "…"}]: the mail's inline charts.
    charts = models.JSONField(default=list)
    messages = models.PositiveSmallIntegerField(default=0, help_text="Emails queued (50 addresses at most each).")
    resends = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "report"]
        constraints = [
            models.UniqueConstraint(
                "report",
                Coalesce("organization", Value(0)),
                "period_start",
                "period_end",
                name="one_run_per_report_scope_and_period",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TaskEvent(models.Model):
    """A Celery task that failed or was retried (recorded from Celery's signals)."""

    class Kind(models.TextChoices):
        FAILURE = "failure", "Failed"
        RETRY = "retry", "Retried"

    task = models.CharField(max_length=200)
    task_id = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    error = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.task} {self.kind} at {self.at:%Y-%m-%d %H:%M}"
