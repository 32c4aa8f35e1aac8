"""Nudges: scheduled messages that rules find due, each recorded once and emailed at most once.

A rule is one function that finds what is due, registered with its kind:

    @nudge_rule(Kind("guest_on_hold", "Waiver reminders"))
    def guests_on_hold(scope: Scope) -> Iterable[Due]:
        for guest in ...:
            yield Due(event=guest.event, recipient=f"guest:{guest.pk}", address=guest.email,
                      name=guest.name, due_at=..., expires_at=...,
                      template="guests/emails/nudges/on_hold", context={...})

It yields every occurrence whose moment has come (`due_at <= scope.now`), also ones it
may have missed, and says until when each is worth sending (`expires_at`). Everything
else lives here, once for every rule: the occurrence key (kind, event, recipient, due
moment, unique in the database), the claim, the per-event switch, unsubscribing,
suppressed addresses, quiet hours and their morning batch, the log and the email.

Why in `events`: every nudge is about an event (the log points at it, the event's
`nudges_enabled` switches it off) and the owner alerts read events; rules of the apps
above (guests, and crew's later) import this module, never the reverse. The parts that
concern every email — the exactly-once send path, suppressed addresses, quiet hours as a
brand setting — sit one layer lower, in `charterops`.

The sweep, for each rule and each chunk of what it found:
1. drops occurrences already recorded (one query);
2. inserts the new ones as PENDING in one INSERT … ON CONFLICT DO NOTHING RETURNING:
   what comes back is what this transaction inserted, and only that is decided. A
   parallel sweep's insert of the same key waits for this transaction and then skips
   the row, so it never emails it;
3. decides each: skipped (missed, switched off, unsubscribed, address bounced, just
   acted), held (quiet hours), or emailed — in the same transaction as the emails, which
   the outbox sends exactly once after commit (charterops.tasks).
Held nudges are released when quiet hours end: the rule is asked again, for those
events only, so what is no longer due (a waiver signed overnight) is skipped, and what
is still due goes out as one email per person and kind.
"""

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from itertools import islice
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import Case, CharField, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.constants import OnConflict
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from charterops.mail import Rendered, emails_record, render_email
from charterops.models import OutboundEmail, SuppressedAddress

from .models import Event, Nudge, NudgeOptOut, NudgeStatus

logger = logging.getLogger(__name__)

# Occurrences handled per transaction: the sweep's queries grow with chunks, not rows.
CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Kind:
    """What a kind of nudge is, as people see it and as the sweep treats it."""

    name: str
    label: str
    # Never held by quiet hours.
    urgent: bool = False
    # Never switched off: no unsubscribing, not by the event's switch, never held.
    safety_critical: bool = False
    # How the unsubscribe page names what stops, e.g. "reminders to sign your waiver".
    description: str = ""
    # Called once with the occurrences about to be emailed together, before their contexts
    # are made: what they need from the database (sign-in links) is made in one query for
    # all of them instead of one per email. Never called in a dry run.
    prepare: Callable[[list["Due"]], None] | None = field(default=None, compare=False)
    # Occurrences per transaction when not CHUNK_SIZE: a rule that yields many per event
    # (a roster's crew) sizes its chunks to its batches of events.
    chunk_size: int | None = None

    @property
    def waits_for_morning(self) -> bool:
        return not (self.urgent or self.safety_critical)

    @property
    def can_unsubscribe(self) -> bool:
        return not self.safety_critical


@dataclass(slots=True)
class Due:
    """One occurrence a rule found: who gets what about which event, from when, until when."""

    event: Event  # with its organization loaded
    recipient: str  # a stable reference to the person: "guest:12", "user:3"
    address: str
    name: str
    due_at: datetime
    expires_at: datetime
    template: str  # <template>_subject.txt, <template>.txt, <template>.html (a fragment)
    # The template's context, or a function that makes it: called only if the nudge is
    # emailed, so a sweep that finds everything already recorded builds none.
    context: dict[str, Any] | Callable[[], dict[str, Any]] = field(default_factory=dict)
    # When this person last acted on what the nudge is about: they are not nudged right after.
    acted_at: datetime | None = None

    @property
    def occurrence(self) -> tuple[int, str, datetime]:
        return (self.event.pk, self.recipient, self.due_at)


@dataclass(frozen=True, slots=True)
class Scope:
    """What a rule is asked: what is due at `now` (for these events only, when given)."""

    now: datetime
    event_ids: frozenset[int] | None = None

    def narrow(self, queryset: QuerySet, field: str = "pk") -> QuerySet:
        if self.event_ids is None:
            return queryset
        return queryset.filter(**{f"{field}__in": self.event_ids})


Rule = Callable[[Scope], Iterable[Due]]
RULES: dict[str, tuple[Kind, Rule]] = {}


def nudge_rule(kind: Kind) -> Callable[[Rule], Rule]:
    """Register `rule` as the one that finds nudges of `kind`."""

    def register(rule: Rule) -> Rule:
        RULES[kind.name] = (kind, rule)
        return rule

    return register


def kind_named(name: str) -> Kind | None:
    entry = RULES.get(name)
    return entry[0] if entry else None


# --- Deciding -----------------------------------------------------------------------------


@dataclass(slots=True)
class Decision:
    status: str
    reason: str = ""
    release_at: datetime | None = None


@dataclass(slots=True)
class Context:
    """What the decisions of one chunk read, fetched once for the chunk."""

    now: datetime
    opted_out: set[tuple[int, str, str]]
    suppressed: dict[str, SuppressedAddress]

    @classmethod
    def load(cls, now: datetime, dues: Iterable[Due]) -> "Context":
        """The opt-outs and the suppressed addresses among `dues`, in one query (a UNION:
        a suppression is a row without a brand)."""
        dues = list(dues)
        addresses = {due.address.lower() for due in dues}
        org_ids = {due.event.organization_id for due in dues}
        text = CharField()
        opt_outs = (
            NudgeOptOut.objects.filter(organization_id__in=org_ids, address__in=addresses)
            .annotate(reason=Value("", output_field=text))
            .order_by()
            .values_list("organization_id", "address", "kind", "reason")
        )
        suppressions = (
            SuppressedAddress.objects.filter(address__in=addresses)
            .annotate(organization_id=Value(None, output_field=IntegerField()), kind=Value("", output_field=text))
            .order_by()
            .values_list("organization_id", "address", "kind", "reason")
        )
        opted_out, suppressed = set(), {}
        for organization_id, address, kind, reason in opt_outs.union(suppressions, all=True):
            if organization_id is None:
                suppressed[address] = SuppressedAddress(address=address, reason=reason)
            else:
                opted_out.add((organization_id, address, kind))
        return cls(now=now, opted_out=opted_out, suppressed=suppressed)


def decide(kind: Kind, due: Due, ctx: Context) -> Decision:
    """Send now, hold for the morning, or skip (and why) — the one place that says so."""
    org, address, now = due.event.organization, due.address.lower(), ctx.now
    if due.expires_at <= now:
        # One wording for all (the row keeps expires_at): a sweep records its decisions in
        # one UPDATE per distinct decision, not one per row.
        return Decision(NudgeStatus.SKIPPED, "Missed: found after the moment it was useful.")
    if not kind.safety_critical:
        if not due.event.nudges_enabled:
            return Decision(NudgeStatus.SKIPPED, "Nudges are switched off for this event.")
        if (org.pk, address, kind.name) in ctx.opted_out:
            return Decision(NudgeStatus.SKIPPED, "Unsubscribed from these.")
    suppressed = ctx.suppressed.get(address)
    if suppressed and (suppressed.reason == SuppressedAddress.Reason.BOUNCED or not kind.safety_critical):
        return Decision(NudgeStatus.SKIPPED, f"The address {suppressed.get_reason_display().lower()} (SES).")
    if due.acted_at and now - due.acted_at < timedelta(minutes=settings.NUDGE_RECENT_ACTION_MINUTES):
        return Decision(NudgeStatus.SKIPPED, "They had just acted on it.")
    if kind.waits_for_morning:
        until = org.quiet_until(now)
        if until is not None:
            if until >= due.expires_at:
                return Decision(NudgeStatus.SKIPPED, "Quiet hours last past the moment it is useful.")
            return Decision(NudgeStatus.HELD, "Quiet hours.", until)
    return Decision(NudgeStatus.QUEUED)


# --- The email ----------------------------------------------------------------------------

UNSUBSCRIBE_SALT = "charterops.nudges.unsubscribe"


def unsubscribe_token(*, organization_id: int, address: str, kind: str) -> str:
    """A link's secret naming one person (address) of one brand and one kind: nothing else."""
    return signing.dumps([organization_id, address.lower(), kind], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, str, str] | None:
    try:
        organization_id, address, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return int(organization_id), str(address), str(kind)


_TOKEN = "@@token@@"  # noqa: S105 (a stand-in in a path, no secret)


@cache
def _unsubscribe_path() -> str:
    # Resolved once: a token is URL-safe base64 and colons, which the path takes as they are.
    return reverse("events:nudge-unsubscribe", args=[_TOKEN])


def unsubscribe_url(*, organization_id: int, address: str, kind: str) -> str:
    token = unsubscribe_token(organization_id=organization_id, address=address, kind=kind)
    return f"{settings.SITE_URL}{_unsubscribe_path().replace(_TOKEN, token)}"


# Stand-ins for one item's parts in a wrapper rendered once (see `_wrapped`): characters
# that neither autoescaping nor the text template change.
_ITEM_TEXT, _ITEM_HTML, _UNSUBSCRIBE = "@@nudge-item-text@@", "@@nudge-item-html@@", "@@nudge-unsubscribe@@"


def _wrapped(wrapper: dict[str, Any], wrappers: dict | None, item: dict[str, Any]) -> tuple[str, str]:
    """The wrapper's text and HTML around one item.

    Rendered once per brand and kind (with stand-ins for the item and the unsubscribe
    link, then filled in by replacing them) when the caller keeps `wrappers` for a batch:
    the wrapper, which extends the base email layout, costs more to render than most
    items, and is the same for every single-item email of a brand and kind.
    """
    if wrappers is None:
        context = {**wrapper, "items": [item]}
        return render_to_string("events/emails/nudge.txt", context), render_to_string(
            "events/emails/nudge.html", context
        )
    key = (wrapper["organization"].pk, wrapper["kind"].name, bool(wrapper["unsubscribe_url"]))
    if key not in wrappers:
        stand_in = {"subject": "", "text": _ITEM_TEXT, "html": mark_safe(_ITEM_HTML)}  # noqa: S308 (a constant)
        context = {
            **wrapper,
            "items": [stand_in],
            "unsubscribe_url": _UNSUBSCRIBE if wrapper["unsubscribe_url"] else "",
        }
        wrappers[key] = (
            render_to_string("events/emails/nudge.txt", context),
            render_to_string("events/emails/nudge.html", context),
        )
    text, html = wrappers[key]
    unsubscribe = wrapper["unsubscribe_url"]
    text = text.replace(_UNSUBSCRIBE, unsubscribe).replace(_ITEM_TEXT, item["text"])
    html = html.replace(_UNSUBSCRIBE, str(escape(unsubscribe))).replace(_ITEM_HTML, item["html"])
    return text, html


def nudge_email(kind: Kind, dues: list[Due], key: str, *, wrappers: dict | None = None) -> Rendered:
    """One email to one person about one or more occurrences of one kind (a morning batch).

    `wrappers`: a dict the caller keeps for a batch of emails, in which the wrapper of
    single-item emails is rendered once per brand and kind.
    """
    first = dues[0]
    org = first.event.organization
    items = []
    for due in dues:
        context = {"organization": org, "site_url": settings.SITE_URL, "event": due.event, "name": due.name}
        extra = due.context() if callable(due.context) else due.context
        subject, text, html = render_email(due.template, {**context, **extra})
        items.append({"subject": subject, "text": text.strip(), "html": mark_safe(html)})  # noqa: S308 (our template)
    headers, unsubscribe = {}, ""
    if kind.can_unsubscribe:
        unsubscribe = unsubscribe_url(organization_id=org.pk, address=first.address, kind=kind.name)
        # RFC 8058 one-click: mail apps POST to the link; no sign-in, no confirmation page.
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    wrapper = {"organization": org, "kind": kind, "items": items, "unsubscribe_url": unsubscribe}
    if len(items) == 1:
        text, html = _wrapped(wrapper, wrappers, items[0])
    else:
        text, html = (
            render_to_string("events/emails/nudge.txt", wrapper),
            render_to_string("events/emails/nudge.html", wrapper),
        )
    subject = items[0]["subject"] if len(items) == 1 else f"{len(items)} × {kind.label} — {org.name}"
    return Rendered(
        key=key,
        kind=kind.name,
        to=[first.address],
        subject=subject,
        text=text,
        html=html,
        organization=org,
        headers=headers,
    )


# --- The sweep ----------------------------------------------------------------------------


@dataclass(slots=True)
class Outcome:
    kind: str
    nudge: Nudge | None  # None in a dry run
    due: Due | None  # None for a held nudge no longer due
    decision: Decision


@dataclass
class SweepReport:
    """What a sweep did: counts always, each outcome only when asked (send_nudges prints them)."""

    dry_run: bool = False
    keep_outcomes: bool = True
    outcomes: list[Outcome] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    emails: int = 0

    def add(self, outcome: Outcome) -> None:
        self.counts[outcome.decision.status] += 1
        if self.keep_outcomes:
            self.outcomes.append(outcome)

    def count(self, status: str) -> int:
        return self.counts[status]

    def summary(self) -> str:
        emailed = f"{self.count(NudgeStatus.QUEUED)} emailed"
        if not self.dry_run:
            emailed = f"{emailed} ({self.emails} emails)"
        return (
            f"{emailed}, {self.count(NudgeStatus.HELD)} held for quiet hours, {self.count(NudgeStatus.SKIPPED)} skipped"
        )


def _chunks(items: Iterable[Due], size: int) -> Iterator[list[Due]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _selected(kinds: Iterable[str] | None) -> list[tuple[Kind, Rule]]:
    if kinds is None:
        return list(RULES.values())
    unknown = set(kinds) - set(RULES)
    if unknown:
        raise ValueError(f"unknown nudge kind(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(RULES))}")
    return [RULES[name] for name in kinds]


def _email_queued(kind: Kind, pairs: list[tuple[Nudge, Due]], now: datetime, *, batch: bool) -> int:
    """Email the nudges decided QUEUED and record them so: one email each, or one per
    person for a morning batch.

    An email is named by the first nudge it carries (`nudge:<id>`): a nudge is in one email
    only, so the key is new, and a single nudge finds its email by its own id. The UPDATE
    that joins each nudge to its email also records the decision.
    """
    groups: dict[object, list[tuple[Nudge, Due]]] = defaultdict(list)
    for nudge, due in pairs:
        if nudge.status == NudgeStatus.QUEUED:
            groups[nudge.recipient if batch else nudge.pk].append((nudge, due))
    members = [sorted(group, key=lambda pair: (pair[1].due_at, pair[0].pk)) for group in groups.values()]
    if kind.prepare is not None and members:
        kind.prepare([due for group in members for _, due in group])
    wrappers: dict = {}
    messages = [
        nudge_email(kind, [due for _, due in group], key=f"nudge:{group[0][0].pk}", wrappers=wrappers)
        for group in members
    ]
    emails = emails_record(messages)
    queued = {"status": NudgeStatus.QUEUED, "reason": "", "release_at": None, "decided_at": now}
    singles = [group[0][0].pk for group in members if len(group) == 1]
    if singles:
        # One UPDATE for every single nudge, however many: each joins its email by the key.
        own_email = OutboundEmail.objects.filter(
            key=Concat(Value("nudge:"), Cast(OuterRef("pk"), output_field=CharField()))
        ).values("pk")[:1]
        Nudge.objects.filter(pk__in=singles).update(email=Subquery(own_email), **queued)
    batches = [(email, group) for email, group in zip(emails, members, strict=True) if len(group) > 1]
    if batches:
        Nudge.objects.filter(pk__in=[n.pk for _, group in batches for n, _ in group]).update(
            email=Case(*[When(pk__in=[n.pk for n, _ in group], then=Value(email.pk)) for email, group in batches]),
            **queued,
        )
    return len(messages)


def _apply(kind: Kind, pairs: list[tuple[Nudge, Due]], ctx: Context, report: SweepReport, *, batch: bool) -> None:
    """Decide each nudge, record the decisions (one UPDATE per distinct decision; the
    emailed ones with their emails) and the emails."""
    decided: dict[tuple, list[int]] = defaultdict(list)
    for nudge, due in pairs:
        decision = decide(kind, due, ctx)
        nudge.status, nudge.reason, nudge.release_at = decision.status, decision.reason, decision.release_at
        if decision.status != NudgeStatus.QUEUED:
            decided[(decision.status, decision.reason, decision.release_at)].append(nudge.pk)
        report.add(Outcome(kind.name, nudge, due, decision))
    for (status, reason, release_at), pks in decided.items():
        Nudge.objects.filter(pk__in=pks).update(status=status, reason=reason, release_at=release_at, decided_at=ctx.now)
    report.emails += _email_queued(kind, pairs, ctx.now, batch=batch)


def _record_chunk(kind: Kind, dues: list[Due], now: datetime, report: SweepReport, dry_run: bool) -> None:
    event_ids = {due.event.pk for due in dues}
    recorded = set(
        Nudge.objects.filter(kind=kind.name, event_id__in=event_ids).values_list("event_id", "recipient", "due_at")
    )
    new = {due.occurrence: due for due in dues if due.due_at <= now and due.occurrence not in recorded}
    if not new:
        return
    if dry_run:
        ctx = Context.load(now, new.values())
        for due in new.values():
            report.add(Outcome(kind.name, None, due, decide(kind, due, ctx)))
        return
    with transaction.atomic():
        # One order for every sweep, so two inserting the same keys wait instead of deadlocking.
        ordered = sorted(new.values(), key=lambda due: due.occurrence)
        inserted = _insert_new(
            [
                Nudge(
                    organization_id=due.event.organization_id,
                    event=due.event,
                    kind=kind.name,
                    recipient=due.recipient,
                    address=due.address.lower(),
                    name=due.name[:200],
                    due_at=due.due_at,
                    expires_at=due.expires_at,
                )
                for due in ordered
            ]
        )
        pairs = [(nudge, new[(nudge.event_id, nudge.recipient, nudge.due_at)]) for nudge in inserted]
        if pairs:
            _apply(kind, pairs, Context.load(now, [due for _, due in pairs]), report, batch=False)


def _insert_new(nudges: list[Nudge]) -> list[Nudge]:
    """Insert these occurrences as PENDING; the ones this statement inserted, with their ids.

    INSERT … ON CONFLICT DO NOTHING RETURNING (one statement on PostgreSQL; SQLite caps a
    statement's parameters, so there it is split): an occurrence another sweep recorded is
    skipped (if that sweep has not committed yet, this insert waits for it, then skips
    the row), so what comes back is exactly what this transaction owns and may decide.
    `bulk_create(ignore_conflicts=True)` cannot say which rows were new: it returns none.
    """
    meta = Nudge._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    returning = [meta.pk, meta.get_field("event"), meta.get_field("recipient"), meta.get_field("due_at")]
    by_occurrence = {(nudge.event_id, nudge.recipient, nudge.due_at): nudge for nudge in nudges}
    size = max(connection.ops.bulk_batch_size(fields, nudges), 1)
    inserted = []
    for start in range(0, len(nudges), size):
        batch = nudges[start : start + size]
        for pk, event_id, recipient, due_at in Nudge.objects._insert(
            batch, fields=fields, returning_fields=returning, on_conflict=OnConflict.IGNORE
        ):
            nudge = by_occurrence[(event_id, recipient, due_at)]
            nudge.pk, nudge._state.adding, nudge._state.db = pk, False, Nudge.objects.db
            inserted.append(nudge)
    return inserted


def _release_held(kinds: list[tuple[Kind, Rule]], now: datetime, report: SweepReport, dry_run: bool) -> None:
    """Quiet hours are over: what is still due goes out, batched per person and kind."""
    # One query tells which kinds have nudges to release; most minutes, none has.
    releasing = set(
        Nudge.objects.filter(kind__in=[kind.name for kind, _ in kinds], status=NudgeStatus.HELD, release_at__lte=now)
        .order_by()
        .values_list("kind", flat=True)
        .distinct()
    )
    for kind, rule in kinds:
        if kind.name not in releasing:
            continue
        with transaction.atomic():
            held = Nudge.objects.filter(kind=kind.name, status=NudgeStatus.HELD, release_at__lte=now)
            if not dry_run:
                held = held.select_for_update(skip_locked=True)
            held = list(held.order_by("release_at", "pk")[: CHUNK_SIZE * 4])
            if not held:
                continue
            # Asked again: what changed overnight (a waiver signed, an event confirmed) counts.
            scope = Scope(now=now, event_ids=frozenset(n.event_id for n in held))
            fresh = {due.occurrence: due for due in rule(scope)}
            pairs, gone = [], []
            for nudge in held:
                due = fresh.get((nudge.event_id, nudge.recipient, nudge.due_at))
                (pairs.append((nudge, due)) if due is not None else gone.append(nudge))
            for nudge in gone:
                nudge.status, nudge.reason, nudge.release_at, nudge.decided_at = (
                    NudgeStatus.SKIPPED,
                    "No longer due when quiet hours ended.",
                    None,
                    now,
                )
            for nudge in gone:
                report.add(Outcome(kind.name, nudge, None, Decision(NudgeStatus.SKIPPED, nudge.reason)))
            if dry_run:
                ctx = Context.load(now, [due for _, due in pairs])
                for nudge, due in pairs:
                    report.add(Outcome(kind.name, nudge, due, decide(kind, due, ctx)))
                continue
            if gone:
                Nudge.objects.filter(pk__in=[n.pk for n in gone]).update(
                    status=NudgeStatus.SKIPPED, reason=gone[0].reason, release_at=None, decided_at=now
                )
            if pairs:
                _apply(kind, pairs, Context.load(now, [due for _, due in pairs]), report, batch=True)


def nudges_sweep(
    *,
    now: datetime | None = None,
    kinds: Iterable[str] | None = None,
    dry_run: bool = False,
    keep_outcomes: bool = True,
) -> SweepReport:
    """Find what is due (or was missed while still useful), record it once, email it once."""
    now = now or timezone.now()
    selected = _selected(kinds)
    report = SweepReport(dry_run=dry_run, keep_outcomes=keep_outcomes)
    for kind, rule in selected:
        for chunk in _chunks(rule(Scope(now=now)), kind.chunk_size or CHUNK_SIZE):
            _record_chunk(kind, chunk, now, report, dry_run)
    _release_held(selected, now, report, dry_run)
    return report


# --- Unsubscribing ------------------------------------------------------------------------


@transaction.atomic
def nudge_opt_out(*, organization_id: int, address: str, kind: str) -> NudgeOptOut:
    """Stop nudges of `kind` from this brand to this address (safety-critical kinds refuse)."""
    found = kind_named(kind)
    if found is None or not found.can_unsubscribe:
        raise ValueError(f"{kind!r} cannot be unsubscribed from")
    opt_out, _ = NudgeOptOut.objects.get_or_create(organization_id=organization_id, address=address.lower(), kind=kind)
    return opt_out
