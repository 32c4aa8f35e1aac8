"""Signals crew sends so that apps above it react without crew importing them.

Sent by crew.services inside the service's transaction.
"""

from django.dispatch import Signal

# Sent after a checklist item's state changed. kwargs: item (the ChecklistItem as it is
# now), by. Safety completes a charter whose post-return checklist is done.
checklist_item_changed = Signal()
