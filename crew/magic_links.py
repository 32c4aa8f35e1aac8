"""Magic links: short single-use codes that sign a crew member in.

A code is 8 characters from an alphabet without look-alikes (no 0/O/1/I/L), so it can
be read off one phone and typed on another. Only an HMAC of it is stored (keyed with
MAGIC_LINK_SECRET): a leaked database holds no usable code. A code is bound to one crew
member, their organization and one deep link, lives for a configured time, and is used
once — marked by one conditional UPDATE, so two simultaneous exchanges cannot both win.

Wrong codes are counted per client address and for everyone together in the cache;
past either limit every code is refused for the rest of the window (HTTP 429).
"""

import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from charterops.errors import DomainError
from charterops.jwt import issue_token
from charterops.mail import email_queue
from charterops.models import Membership, RevokedToken
from charterops.throttling import counter_incr, counters_get

from .models import CrewMember, MagicLink, SignInThrottleEvent
from .selectors import sign_in_link

logger = logging.getLogger(__name__)

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CREW_HOME = "/crew/"
# Paths a link may not lead to: they would sign out or loop back to signing in.
NOT_DEEP_LINKS = ("/crew/login", "/crew/logout")


class MagicLinkRefused(DomainError):
    """The code cannot sign anyone in. `reason` is unknown, used, expired or inactive."""

    MESSAGES = {
        "unknown": "That sign-in code does not exist. Check it, or ask for a new link.",
        "used": "That sign-in link has already been used. Each link works once.",
        "expired": "That sign-in link has expired.",
        "inactive": "That sign-in link can no longer be used.",
    }

    def __init__(self, reason: str):
        super().__init__(self.MESSAGES[reason])
        self.reason = reason
        self.status = 404 if reason == "unknown" else 410


class SignInThrottled(DomainError):
    status = 429
    code = "throttled"

    def __init__(self, retry_after: int):
        super().__init__("Too many sign-in attempts. Wait a few minutes, then try again.")
        self.retry_after = retry_after


# --- Codes --------------------------------------------------------------------------------


def normalize_code(raw: str) -> str | None:
    """The code as stored, or None when `raw` cannot be one (people type lowercase, dashes)."""
    if not isinstance(raw, str) or len(raw) > 32:
        return None
    code = raw.strip().upper().replace("-", "").replace(" ", "")
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def code_hash(code: str) -> str:
    return hmac.new(settings.MAGIC_LINK_SECRET.encode(), code.encode(), hashlib.sha256).hexdigest()


def is_deep_link(path: str) -> bool:
    """A local path on this site (never another host: links must not redirect away)."""
    if not isinstance(path, str) or not path.startswith("/") or len(path) > 300:
        return False
    if path.startswith("//") or "\\" in path or any(ord(ch) < 32 for ch in path):
        return False
    parts = urlsplit(path)
    return not parts.scheme and not parts.netloc and not path.startswith(NOT_DEEP_LINKS)


def magic_link_create(*, crew_member: CrewMember, deep_link: str, purpose: MagicLink.Purpose) -> tuple[MagicLink, str]:
    """Make a code for `crew_member` that opens `deep_link`; return the row and the code.

    The code itself is not stored: this is the only moment it exists.
    """
    if not crew_member.active:
        raise ValidationError("A deactivated crew member cannot get a sign-in link.")
    if not is_deep_link(deep_link):
        raise ValidationError("A sign-in link leads to a path on this site, such as /crew/.")
    ttl = (
        settings.MAGIC_LINK_EVENT_TTL_SECONDS
        if purpose == MagicLink.Purpose.EVENT_INVITE
        else settings.MAGIC_LINK_SIGN_IN_TTL_SECONDS
    )
    # 31^8 codes against a handful of live ones: a collision is vanishingly rare, and the
    # unique hash column would refuse it rather than bind one code to two people.
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    link = MagicLink.objects.create(
        code_hash=code_hash(code),
        crew_member=crew_member,
        organization_id=crew_member.organization_id,
        deep_link=deep_link,
        purpose=purpose,
        expires_at=timezone.now() + timedelta(seconds=ttl),
    )
    return link, code


@dataclass(slots=True)
class LinkRequest:
    """A sign-in link an email will carry: whom it signs in, where it leads; `code` once made."""

    crew_member_id: int
    organization_id: int
    deep_link: str
    code: str = ""

    @property
    def url(self) -> str:
        return magic_link_url(self.code) if self.code else ""


def magic_links_create(requests: Sequence[LinkRequest], *, purpose: MagicLink.Purpose) -> None:
    """Make the codes of many links in one INSERT (the nudge sweep's emails), each as
    `magic_link_create` makes one; the callers ask only for active crew members."""
    ttl = (
        settings.MAGIC_LINK_EVENT_TTL_SECONDS
        if purpose == MagicLink.Purpose.EVENT_INVITE
        else settings.MAGIC_LINK_SIGN_IN_TTL_SECONDS
    )
    expires_at = timezone.now() + timedelta(seconds=ttl)
    rows = []
    for request in requests:
        if not is_deep_link(request.deep_link):
            raise ValidationError("A sign-in link leads to a path on this site, such as /crew/.")
        request.code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        rows.append(
            MagicLink(
                code_hash=code_hash(request.code),
                crew_member_id=request.crew_member_id,
                organization_id=request.organization_id,
                deep_link=request.deep_link,
                purpose=purpose,
                expires_at=expires_at,
            )
        )
    MagicLink.objects.bulk_create(rows)


def magic_link_url(code: str) -> str:
    return f"{settings.SITE_URL}/m/{code}"


# --- Throttling ---------------------------------------------------------------------------


def _window_key(scope: str) -> str:
    window = settings.SIGN_IN_THROTTLE_WINDOW_SECONDS
    return f"signin:{scope}:{int(timezone.now().timestamp()) // window}"


def _retry_after() -> int:
    window = settings.SIGN_IN_THROTTLE_WINDOW_SECONDS
    return window - int(timezone.now().timestamp()) % window


def _count(scope: str) -> int:
    return counter_incr(_window_key(scope), settings.SIGN_IN_THROTTLE_WINDOW_SECONDS + 5)


def throttle_check(ip: str) -> None:
    """Refuse every code while this address, or everyone together, failed too often."""
    limits = {
        _window_key(f"fail:ip:{ip}"): settings.SIGN_IN_FAILURES_PER_IP,
        _window_key("fail:all"): settings.SIGN_IN_FAILURES_GLOBAL,
    }
    counts = counters_get(list(limits))
    if any(count >= limit for count, limit in zip(counts, limits.values(), strict=True)):
        SignInThrottleEvent.record(ip=ip)
        raise SignInThrottled(_retry_after())


def _refuse(reason: str, *, ip: str) -> MagicLinkRefused:
    _count(f"fail:ip:{ip}")
    failures = _count("fail:all")
    if failures == settings.SIGN_IN_FAILURES_GLOBAL:
        logger.warning("sign-in: global failure limit reached; codes refused for the rest of the window")
    logger.info("sign-in: code refused (%s) from %s", reason, ip)
    return MagicLinkRefused(reason)


def request_throttle_check(*, ip: str, email: str) -> bool:
    """Count a sign-in link request. Raise when this address asks too often; return False
    when this email address already got enough links (the caller then sends nothing)."""
    if _count(f"request:ip:{ip}") > settings.SIGN_IN_REQUESTS_PER_IP:
        raise SignInThrottled(_retry_after())
    digest = hashlib.sha256(email.lower().encode()).hexdigest()
    return _count(f"request:email:{digest}") <= settings.SIGN_IN_EMAILS_PER_ADDRESS


# --- Using a code -------------------------------------------------------------------------


def _usable(*, code: str, ip: str) -> tuple[MagicLink, Membership | None]:
    throttle_check(ip)
    normalized = normalize_code(code)
    loaded = sign_in_link(code_hash=code_hash(normalized)) if normalized else None
    if loaded is None:
        raise _refuse("unknown", ip=ip)
    link, membership = loaded
    if link.used_at is not None:
        raise _refuse("used", ip=ip)
    if link.expires_at <= timezone.now():
        raise _refuse("expired", ip=ip)
    member = link.crew_member
    if not member.active or not member.user.is_active or member.organization_id != link.organization_id:
        raise _refuse("inactive", ip=ip)
    return link, membership


def own_link_deep_link(*, code: str, crew_member_id: int) -> str | None:
    """Where `code` leads, if it is a link of this crew member (used, expired or not); else
    None. For a person already signed in who opens their own link again: nothing is used
    up, and a code that is not theirs says nothing (the caller goes on as for anyone)."""
    normalized = normalize_code(code)
    if normalized is None:
        return None
    return (
        MagicLink.objects.filter(code_hash=code_hash(normalized), crew_member_id=crew_member_id)
        .values_list("deep_link", flat=True)
        .first()
    )


def magic_link_check(*, code: str, ip: str) -> MagicLink:
    """The link `code` opens, without using it up (mail scanners open links too)."""
    return _usable(code=code, ip=ip)[0]


def _mark_used(link: MagicLink, *, ip: str) -> MagicLink:
    now = timezone.now()
    # The WHERE clause is the lock: of two concurrent UPDATEs only one sees used_at NULL.
    won = MagicLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    if not won:
        raise MagicLinkRefused("used")
    link.used_at = now
    logger.info("sign-in: %s signed in to %s from %s", link.crew_member.user.email, link.organization.slug, ip)
    return link


def magic_link_consume(*, code: str, ip: str) -> MagicLink:
    """Use the code up and return its link; a second use, even at the same instant, fails."""
    return _mark_used(_usable(code=code, ip=ip)[0], ip=ip)


def magic_link_exchange(*, code: str, ip: str) -> tuple[MagicLink, str, datetime]:
    """Use the code up and issue the crew member's access token: (link, token, expiry).

    Two queries: the link with everything the token needs, then the conditional UPDATE.
    """
    link, membership = _usable(code=code, ip=ip)
    if membership is None:
        raise _refuse("inactive", ip=ip)
    _mark_used(link, ip=ip)
    token, expires_at = issue_token(membership=membership)
    return link, token, expires_at


# --- Asking for a link --------------------------------------------------------------------


def sign_in_link_request(*, email: str, next_path: str, ip: str) -> int:
    """Mail a sign-in link to each active crew profile with this email address.

    Answers the same whether or not anyone matched (the caller shows one page for both);
    returns how many links were mailed, for tests and logs.
    """
    if not request_throttle_check(ip=ip, email=email):
        return 0
    deep_link = next_path if is_deep_link(next_path) and next_path.startswith("/crew/") else CREW_HOME
    members = CrewMember.objects.filter(user__email__iexact=email.strip(), active=True, user__is_active=True)
    sent = 0
    for member in members.select_related("user", "organization"):
        with transaction.atomic():
            link, code = magic_link_create(crew_member=member, deep_link=deep_link, purpose=MagicLink.Purpose.SIGN_IN)
            email_queue(
                key=f"sign_in_link:{link.pk}",
                kind="crew_sign_in",
                to=[member.user.email],
                template="crew/emails/sign_in_link",
                context={
                    "crew_member": member,
                    "first_name": member.user.first_name or member.display_name,
                    "code": code,
                    "url": magic_link_url(code),
                    "minutes": settings.MAGIC_LINK_SIGN_IN_TTL_SECONDS // 60,
                },
                organization=member.organization,
            )
        sent += 1
    return sent


# --- Housekeeping -------------------------------------------------------------------------

# Used and expired links are kept this long for the audit trail, then deleted.
SIGN_IN_ROWS_KEPT = timedelta(days=30)


def sign_in_rows_prune(*, now: datetime | None = None) -> tuple[int, int]:
    """Delete magic links expired for a month and revocations of tokens that have expired
    anyway (a dead token needs no revocation). Returns (links, revocations) deleted."""
    now = now or timezone.now()
    links, _ = MagicLink.objects.filter(expires_at__lt=now - SIGN_IN_ROWS_KEPT).delete()
    revocations, _ = RevokedToken.objects.filter(expires_at__lt=now).delete()
    return links, revocations
