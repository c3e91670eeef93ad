"""Hand-made CSRF protection: one random token per browser session, checked on every writing request.

Forms send it as the hidden field ``csrf_token`` (templates call ``csrf_token()``), scripts as the
header ``X-CSRF-Token`` (base.html puts it into ``<meta name="csrf-token">``). The check runs in an
app-wide ``before_request``, so module blueprints are covered without doing anything.
"""

from __future__ import annotations

import hmac
import secrets

from flask import request, session
from werkzeug.exceptions import BadRequest

SESSION_KEY = "csrf_token"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CSRFError(BadRequest):
    """A writing request without the token of this browser session: refused before any view runs."""

    description = (
        "Die Sicherheitsprüfung dieses Formulars ist fehlgeschlagen (CSRF-Token fehlt oder ist ungültig). "
        "Es wurde nichts gespeichert. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."
    )


def csrf_token() -> str:
    """The token of this browser session, created on first use."""
    token = session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def check_csrf() -> None:
    """``before_request``: refuse a writing request whose token does not match the session's."""
    if request.method not in WRITING_METHODS:
        return
    expected = session.get(SESSION_KEY)
    sent = request.headers.get(HEADER) or request.form.get(FORM_FIELD)
    if not expected or not sent or not hmac.compare_digest(str(expected), str(sent)):
        raise CSRFError()
