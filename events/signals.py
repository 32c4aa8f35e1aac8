"""Signals that let later apps (crew, guests) react to events without events importing them.

They carry facts (which event, who, what move), never policy: what to do about them is
the receiver's own rule.

They are sent explicitly by events.services, inside the service's transaction, so a
receiver's writes commit or roll back with the event itself.
"""

from django.dispatch import Signal

# Sent after an event (and its revenue) is created. kwargs: event, by. Later apps react to
# it (guests publish the guest page); what a booking adds to the event (slots, checklists,
# its crew) the booking intake adds itself, with typed arguments (bookings.services).
event_created = Signal()

# Sent before a lifecycle move is saved. kwargs: event, to_status, by, reason, override.
# A receiver vetoes the move by raising charterops.errors.DomainError.
event_transitioning = Signal()

# Sent after anything a guest or crew member sees of the event changed. kwargs: event.
event_changed = Signal()

# Sent after a lifecycle move is saved. kwargs: event, from_status, to_status, by, reason.
# Later apps react to what the move means for them (guests are told of a cancellation).
event_transitioned = Signal()
