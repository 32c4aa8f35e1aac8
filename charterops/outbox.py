"""What the back office shows of the outbox: labels for email kinds, and bodies with the
live secrets they carry masked.

Stored bodies keep their links (a retry sends the same message); nobody reading the
outbox may use a crew member's sign-in code, a guest's signing link or someone's
unsubscribe link. Each secret found in a link is masked wherever else it appears in the
same email (a sign-in code is also printed as text).
"""

import re

from .display import humanize_code

MASK = "••••••"

# Paths whose next segment is someone's secret: sign-in codes (/m/<code>), guests'
# signing links (/w/<token>), unsubscribe links, asking for a signing link again, photo uploads.
SECRET_PATHS = ("m", "w", "n/unsubscribe", "signing-link", "u")
_SECRET_LINK = re.compile(r"/(?:%s)/([A-Za-z0-9_\-]{6,})" % "|".join(re.escape(p) for p in SECRET_PATHS))  # noqa: UP031

KIND_LABELS = {
    "crew_invite": "Crew: put on a charter (sign-in link)",
    "role_confirmation": "Crew: role claimed",
    "role_released": "Crew: role released",
    "role_removed": "Crew: removed from a role",
    "event_changed": "Crew: charter changed",
    "event_cancelled": "Crew: charter cancelled",
    "crew_sign_in": "Crew: sign-in link",
    "guest_event_cancelled": "Guest: charter cancelled",
    "waiver_request": "Guest: waiver to sign",
    "waiver_link_again": "Guest: signing link asked for again",
    "waiver_copy": "Guest: copy of the signed waiver",
    "webhook_endpoint_disabled": "Owner: webhook endpoint disabled",
    "beat_silent": "Owner: scheduler silent",
    "guest_on_hold": "Nudge: waiver reminder to a guest on hold",
    "owner_pending_confirmation": "Nudge: booking still pending confirmation",
    "owner_not_started": "Alert: charter not started",
    "ceo": "Report: CEO",
    "cto": "Report: CTO",
    "cmo": "Report: CMO",
    "cfo": "Report: CFO",
    "accounting": "Report: accounting",
}


def kind_label(kind: str) -> str:
    """ "crew_sign_in" → "Crew: sign-in link"; a kind nobody labelled reads as words."""
    if kind in KIND_LABELS:
        return KIND_LABELS[kind]
    if kind.startswith("nudge:"):
        return f"Nudge: {humanize_code(kind.removeprefix('nudge:')).lower()}"
    return humanize_code(kind)


def secrets_in(*texts: str) -> set[str]:
    found: set[str] = set()
    for text in texts:
        found.update(_SECRET_LINK.findall(text or ""))
    return found


def masked(text: str, secrets: set[str]) -> str:
    """`text` with every one of `secrets` replaced by a mask (longest first)."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
