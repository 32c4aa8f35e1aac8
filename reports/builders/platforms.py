"""Which booking platform a service key serves, read from the name the owner gave it."""

import re

from events.models import Source

_NORMAL = re.compile(r"[^a-z0-9]")
# "GetYourGuide", "Get Your Guide", "getyourguide-prod" … all name one platform.
_NAMES = {
    _NORMAL.sub("", name.lower()): value
    for value, label in Source.choices
    if value not in {Source.DIRECT, Source.OTHER}
    for name in (value, label)
}


def key_platform(key_name: str) -> str | None:
    """The platform a key named `key_name` is for, or None (a key for something else)."""
    normal = _NORMAL.sub("", key_name.lower())
    for name, value in sorted(_NAMES.items(), key=lambda item: -len(item[0])):
        if name in normal:
            return value
    return None
