"""Business writes for crew. The admin, pages, API, tasks and commands all call these.

Split by concern: `roster` (seats, claims, designations, releases, acknowledgements and the
lifecycle moves crew make), `checklists`, `emails`, `calendar` and `idempotency` (writes a
phone may replay, applied once). Who may do what is
decided once, in crew.policy; these services ask it before they write.
"""

from .calendar import calendar_token_get_or_create, calendar_token_rotate, crew_member_for_calendar_token
from .checklists import (
    StaleChecklistItem,
    checklist_due_refresh,
    checklist_instantiate,
    checklist_item_update,
    checklist_template_add,
    who,
)
from .emails import (
    ChangeLine,
    change_lines,
    crew_invite_email_queue,
    event_cancelled_emails_queue,
    event_change_email_queue,
    event_page_path,
    notify_on_commit,
    role_confirmation_email_queue,
    role_release_emails_queue,
)
from .idempotency import Outcome, idempotency_key_check, idempotency_keys_prune, run_once
from .roster import (
    DEFAULT_DECKHAND_SLOTS,
    MAX_DECKHAND_SLOTS,
    CrewAssignment,
    crew_complete,
    crew_member_create,
    crew_member_update,
    crew_member_update_refusal,
    event_confirm,
    event_confirm_if_ready,
    event_crew_assign,
    event_start,
    revenue_crew_count_refresh,
    role_acknowledge,
    role_claim,
    role_designate,
    role_designate_refusal,
    role_release,
    role_release_refusal,
    role_slot_pick,
    role_slots_create,
)
from .setup import event_crew_setup

__all__ = [
    "DEFAULT_DECKHAND_SLOTS",
    "MAX_DECKHAND_SLOTS",
    "ChangeLine",
    "CrewAssignment",
    "Outcome",
    "StaleChecklistItem",
    "calendar_token_get_or_create",
    "calendar_token_rotate",
    "change_lines",
    "checklist_due_refresh",
    "checklist_instantiate",
    "checklist_item_update",
    "checklist_template_add",
    "crew_complete",
    "crew_invite_email_queue",
    "crew_member_create",
    "crew_member_for_calendar_token",
    "crew_member_update",
    "crew_member_update_refusal",
    "event_cancelled_emails_queue",
    "event_change_email_queue",
    "event_confirm",
    "event_confirm_if_ready",
    "event_crew_assign",
    "event_crew_setup",
    "event_page_path",
    "event_start",
    "idempotency_key_check",
    "idempotency_keys_prune",
    "notify_on_commit",
    "revenue_crew_count_refresh",
    "role_acknowledge",
    "role_claim",
    "role_confirmation_email_queue",
    "role_designate",
    "role_designate_refusal",
    "role_release",
    "role_release_emails_queue",
    "role_release_refusal",
    "role_slot_pick",
    "role_slots_create",
    "run_once",
    "who",
]
