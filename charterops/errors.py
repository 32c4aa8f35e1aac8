"""Domain errors raised by services. Every entry point maps them to a clear refusal.

Services raise these instead of returning error codes, so the admin shows the message,
pages render it, and the API turns `status` into the HTTP status of its JSON error.
"""


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Conflict(DomainError):
    """The request clashes with the current state (slot taken, stale version, bad transition)."""

    status = 409
    code = "conflict"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """No such object within the caller's brand (another brand's objects are not found either)."""

    status = 404
    code = "not_found"
