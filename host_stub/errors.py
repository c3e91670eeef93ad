"""Errors the host reports to users; the message says what is wrong and how to fix it."""


class HostError(Exception):
    """A user-facing error: the CLI prints it and exits non-zero, the web shows it on a 4xx page."""

    status = 400


class NotFound(HostError):
    status = 404


class DatabaseUnavailable(HostError):
    status = 503


class LicenseRefused(HostError):
    """A writing action was refused because the module is not licensed (or a licence is bad)."""

    status = 403


class Forbidden(HostError):
    """The signed-in user's role does not allow the action (for example a Mitarbeiter installing a licence)."""

    status = 403


class SignInRefused(HostError):
    """A sign-in was refused: wrong password, unknown or inactive login, or locked after repeated failures."""

    status = 401


class Vetoed(HostError):
    """A module vetoed the action (for example the deletion of a customer it still needs)."""

    status = 409


class DatabaseBusy(HostError):
    """Another transaction held the lock longer than the lock timeout (SQLite busy, PostgreSQL lock_timeout)."""

    status = 503
