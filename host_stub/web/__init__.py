"""The host's web shell: menu bar, list views with context menus, dialogs, error pages, module pages.

``create_app(host)`` builds the Flask app. The host's own pages live in the ``shell`` blueprint;
each module's blueprints (hook ``web_blueprints``) are mounted under ``/m/<module id>/`` and answer
404 while the module is not enabled in this database. Views stay thin: they call Host services.

Every page needs a signed-in user (``/anmelden``); the session holds the user's id and session epoch,
so logout, a new password or deactivation ends it. The user is the request's current user
(``host.users.current()``); ``requires_role`` limits a page to a role.

The app protects itself whatever a module does: only trusted host names are served (DNS rebinding),
every response carries a strict Content-Security-Policy and the other security headers, the session
cookie is HttpOnly and SameSite, a request body larger than ``MAX_REQUEST_BYTES`` is refused before it
is read, and the debugger never runs (``FLASK_DEBUG`` is ignored). ``run`` serves it (waitress).
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import os
import re
import secrets
import socket
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, redirect, render_template, request, session, url_for
from markupsafe import escape
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError
from werkzeug import serving
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError
from werkzeug.routing import BuildError

from host_stub.api import Download
from host_stub.db import database_error
from host_stub.errors import HostError, NotFound
from host_stub.german import plural
from host_stub.web.csrf import CSRFError, check_csrf, csrf_token
from host_stub.web.params import IdConverter

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host
    from host_stub.users import UserInfo

log = logging.getLogger(__name__)

SECRET_KEY_ENV = "HOST_STUB_SECRET_KEY"
SECRET_KEY_SETTING = "web.secret_key"
MIN_SECRET_KEY_LENGTH = 32
EXTENSION = "host_stub"

#: The most one request may carry, all its files together: larger ones get 413 before their body is read.
MAX_REQUEST_BYTES = 50 * 1024 * 1024
#: Host names the app always answers to; ``create_app(trusted_hosts=...)`` adds more (``serve --trusted-host``).
#: (werkzeug 3.1.8 compares an IPv6 literal only up to its first colon, so "[::1]" admits every IPv6 literal:
#: harmless, DNS rebinding needs a name and a name has no colon; 3.1.9 admits none, so serve on 127.0.0.1.)
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
#: No inline script or style, no plugins, no framing, forms only to this site: templates load static files.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "object-src 'none'",
    "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
))
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

#: German names of the licence states, for badges; the status message says the details.
LICENCE_LABELS = {
    "free": "kostenlos",
    "available": "verfügbar",
    "trial": "Testzeitraum",
    "active": "lizenziert",
    "grace": "Kulanzfrist",
    "expired": "abgelaufen",
    "clock": "Systemuhr prüfen",
}

ERROR_TITLES = {
    400: "Ungültige Anfrage",
    403: "Nicht erlaubt",
    404: "Nicht gefunden",
    405: "Nicht erlaubt",
    409: "Konflikt",
    413: "Anfrage zu groß",
    500: "Interner Fehler",
    503: "Nicht verfügbar",
}

#: Messages for HTTP errors raised without a message of their own (werkzeug's are English).
ERROR_MESSAGES = {
    400: "Die Anfrage war ungültig.",
    404: "Diese Seite gibt es nicht. Bitte wählen Sie einen Eintrag aus dem Menü.",
    405: "Diese Aktion ist auf dieser Seite nicht möglich.",
    413: (f"Die Anfrage ist zu groß: höchstens {MAX_REQUEST_BYTES // 1_048_576} MB auf einmal (alle Dateien "
          "zusammen). Es wurde nichts gespeichert. Bitte laden Sie große Dateien einzeln hoch."),
    500: "Ein interner Fehler ist aufgetreten; er wurde protokolliert. Bitte versuchen Sie es noch einmal.",
}


class ShellFlask(Flask):
    """Flask, where a view may also return a ``Download``: it is sent as a file (host_stub.web.downloads)."""

    def make_response(self, rv):
        if isinstance(rv, Download):
            from host_stub.web.downloads import download_response

            return download_response(rv)
        return super().make_response(rv)


def create_app(host: Host, trusted_hosts: Iterable[str] = ()) -> Flask:
    """The web app for ``host``: shell pages, module blueprints, CSRF check, German error pages.

    It answers to the loopback names and to ``trusted_hosts`` (names or addresses, without port) only.
    """
    from host_stub.web.shell import shell
    from host_stub.web.tasks import tasks
    from host_stub.web.users import users

    app = ShellFlask(__name__)
    app.config.update(
        DEBUG=False,  # Flask took FLASK_DEBUG from the environment; the debugger runs code for any visitor
        TRUSTED_HOSTS=list(dict.fromkeys([*LOOPBACK_HOSTS, *trusted_hosts])),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )
    app.url_map.converters["int"] = IdConverter  # before any rule is added: every <int:…> is bounded
    app.extensions[EXTENSION] = host
    app.jinja_env.autoescape = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.secret_key = _secret_key(host)
    app.add_template_global(csrf_token)
    app.add_template_global(shell_layout)
    app.add_template_global(current_url)
    app.add_template_global(current_user)
    app.add_template_global(row_link)
    app.add_template_global(LICENCE_LABELS, "licence_labels")
    app.add_template_filter(plural)
    app.before_request(_sign_in_required)
    app.teardown_request(_stop_acting)
    app.before_request(check_csrf)
    app.before_request(_load_layout)
    app.after_request(_security_headers)
    app.register_error_handler(HostError, _host_error)
    app.register_error_handler(HTTPException, _http_error)
    for error in (DataError, OperationalError, OverflowError):
        app.register_error_handler(error, _database_error)
    app.register_blueprint(shell)
    app.register_blueprint(users)
    app.register_blueprint(tasks)
    _mount_module_blueprints(app, host)
    return app


def run(app: Flask, bind: str, port: int, *, threads: int, debug: bool = False) -> None:
    """Serve ``app`` with waitress (a production WSGI server, also on Windows and macOS) and ``threads``
    worker threads; with ``debug`` with werkzeug's development server instead, which logs each request
    and every traceback to the console. Never with the debugger or the reloader."""
    check_can_listen(bind, port)
    if debug:
        serving.run_simple(bind, port, app, threaded=True, use_debugger=False, use_reloader=False)
    else:
        production_server(app, bind, port, threads).run()


def production_server(app: Flask, bind: str, port: int, threads: int):
    """The waitress server for ``app``, listening (``run()`` serves until the process ends)."""
    import waitress

    return waitress.create_server(app, host=bind.strip("[]"), port=port, threads=threads, ident="host-stub",
                                  clear_untrusted_proxy_headers=True)


def check_can_listen(bind: str, port: int) -> None:
    """A HostError in German when the server could not listen at ``bind``:``port`` (werkzeug says it in English)."""
    if not 1 <= port <= 65535:
        raise HostError(f"Der Port {port} ist ungültig; erlaubt sind 1 bis 65535 (z. B. --port 5000).")
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    try:
        with socket.create_server((bind.strip("[]"), port), family=family):
            pass
    except OSError as exc:
        reason = "der Port ist schon belegt" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
        raise HostError(
            f"Die Weboberfläche kann nicht an {bind}, Port {port} starten: {reason}. Beenden Sie das andere "
            "Programm oder wählen Sie mit --port einen anderen Port (mit --host eine andere Adresse)."
        ) from None


def is_loopback(bind: str) -> bool:
    """True when ``bind`` only accepts connections from this machine."""
    if bind == "localhost":
        return True
    try:
        return ipaddress.ip_address(bind.strip("[]")).is_loopback
    except ValueError:
        return False


def served_host_names(bind: str) -> list[str]:
    """The names and addresses under which a server bound to ``bind`` is reached, to trust besides loopback.

    An address of all interfaces (0.0.0.0, ::) is reached under this machine's names and addresses.
    """
    bind = bind.strip("[]")
    if bind not in ("0.0.0.0", "::", ""):
        return [f"[{bind}]" if ":" in bind else bind]
    names = [socket.gethostname(), socket.getfqdn()]
    try:
        names += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)]
    except OSError:  # the machine's name does not resolve: its names above still count
        pass
    return list(dict.fromkeys(f"[{name}]" if ":" in name else name for name in names))


def current_host() -> Host:
    """The Host the running app serves."""
    return current_app.extensions[EXTENSION]


def current_url() -> str:
    """Path and query of this request: where to come back to after an action."""
    return request.full_path.rstrip("?")


#: Two ids no route has in its fixed parts: ``row_link`` builds a row's URL once with each to find the id's place.
_PROBE_IDS = (1_987_654_321, 1_876_543_219)


def row_link(endpoint: str, id_argument: str, **query: Any) -> Callable[[int], str]:
    """``id -> url_for(endpoint, **{id_argument: id}, **query)`` for the rows of a list: the URL is built
    twice for the whole list instead of once per row (url_for costs a twentieth of a millisecond)."""
    first, second = (url_for(endpoint, **{id_argument: probe}, **query) for probe in _PROBE_IDS)
    parts = first.split(str(_PROBE_IDS[0]))
    whole = len(parts) == 2 and parts[0][-1:] in ("/", "=") and parts[1][:1] in ("", "/", "?", "&", "#")
    if not whole or second != str(_PROBE_IDS[1]).join(parts):  # the id is not written as a plain number
        return lambda row_id: url_for(endpoint, **{id_argument: row_id}, **query)
    before, after = parts
    return lambda row_id: f"{before}{int(row_id)}{after}"


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (never another host), else None."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


# -- sign-in -----------------------------------------------------------------------------------

#: session keys: who signed in, and the user's session epoch at that moment.
USER_KEY = "user_id"
EPOCH_KEY = "user_epoch"
#: The one page an anonymous visitor may reach (besides static files).
SIGN_IN_ENDPOINT = "users.sign_in"


def current_user() -> UserInfo | None:
    """The signed-in user of this request (None on the sign-in page)."""
    return g.get("user")


def sign_in_session(user: UserInfo) -> None:
    """Start a fresh session for ``user`` (a new CSRF token too: nothing of the anonymous session is kept)."""
    session.clear()
    session[USER_KEY] = user.id
    session[EPOCH_KEY] = user.session_epoch


def _sign_in_required():
    """``before_request``: make the session's user the current user, or send the visitor to /anmelden.

    A session whose user logged out, changed the password or was deactivated since has ended.
    """
    if request.endpoint == "static":
        return None
    host = current_host()
    user = None
    if isinstance(session.get(USER_KEY), int) and isinstance(session.get(EPOCH_KEY), int):
        with host.session() as db_session:
            user = host.users.session_user(db_session, session[USER_KEY], session[EPOCH_KEY])
        if user is None:
            session.clear()
            flash("Ihre Sitzung ist beendet (abgemeldet, Passwort geändert oder Zugang deaktiviert). "
                  "Bitte melden Sie sich neu an.", "error")
    if user is None:
        if request.endpoint == SIGN_IN_ENDPOINT or request.routing_exception is not None:
            return None  # the sign-in page; an unknown page or host name gets its error page (without menu)
        target = current_url() if request.method == "GET" else None
        return redirect(url_for(SIGN_IN_ENDPOINT, next=target), 303)
    g.user = user
    g.acting = ExitStack()
    g.acting.enter_context(host.users.acting(user))
    return None


def _stop_acting(_exc: BaseException | None) -> None:
    acting = g.pop("acting", None)
    if acting is not None:
        acting.close()


def requires_role(role: str) -> Callable:
    """Decorator for a page (a module's too) that only users of ``role`` may open: others get a 403 page."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args, **kwargs):
            current_host().users.require(role, "Diese Seite öffnen")
            return view(*args, **kwargs)

        return checked

    return decorate


# -- secret key --------------------------------------------------------------------------------


_GENERATED_KEY = re.compile(r"[0-9a-f]{64}")


def _secret_key(host: Host) -> str:
    """From the environment, else kept in the database's settings so sessions survive restarts.

    A stored key that is not one the shell generated (damaged, emptied) is replaced: that costs only the
    open sessions, while an empty or guessable key would break or weaken every session.
    """
    if os.environ.get(SECRET_KEY_ENV):
        key = os.environ[SECRET_KEY_ENV]
        if len(key) < MIN_SECRET_KEY_LENGTH:
            raise HostError(
                f"{SECRET_KEY_ENV} ist zu kurz ({len(key)} Zeichen; nötig sind mindestens {MIN_SECRET_KEY_LENGTH}). "
                "Erzeugen Sie einen Schlüssel, z. B. mit: python -c \"import secrets; print(secrets.token_hex(32))\""
            )
        return key
    host.enabled_modules()  # a clear message when the database is not set up yet
    try:
        with host.session() as session:
            key = host.settings.get(session, SECRET_KEY_SETTING)
            if key is None or not _GENERATED_KEY.fullmatch(key):
                if key is not None:
                    log.warning("setting %s is damaged; a new key is generated (open sessions end)",
                                SECRET_KEY_SETTING)
                key = secrets.token_hex(32)
                host.settings.set(session, SECRET_KEY_SETTING, key)
    except IntegrityError:  # another process stored one at the same moment: use that
        with host.session() as session:
            key = host.settings.get(session, SECRET_KEY_SETTING)
    return key


def _security_headers(response):
    """``after_request``: the security headers on every response, error pages and static files included."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


# -- module pages ------------------------------------------------------------------------------


def _mount_module_blueprints(app: Flask, host: Host) -> None:
    """Mount every module's blueprints at /m/<module id>/; one that cannot be mounted is skipped."""
    for owner, blueprint in host.hooks.web_blueprints():
        try:
            app.register_blueprint(blueprint, url_prefix=f"/m/{owner}")
        except Exception:  # a broken module must not take the web shell down
            log.exception("blueprint %r of module %s cannot be mounted; skipped", blueprint, owner)
            continue
        app.before_request_funcs.setdefault(blueprint.name, []).append(_require_enabled(host, owner))


def _require_enabled(host: Host, owner: str):
    def require_enabled() -> None:
        layout = g.get("shell_layout")
        enabled = layout.enabled if layout is not None and layout.enabled is not None else host.enabled_modules()
        if owner not in enabled:
            raise NotFound(
                f"Das Modul {host.module(owner).manifest.name} ist in dieser Datenbank nicht aktiviert. "
                "Sie können es unter Datei › Module und Lizenzen aktivieren."
            )

    return require_enabled


# -- layout: menu bar and licence warnings ------------------------------------------------------


@dataclass(frozen=True)
class MenuEntry:
    """A link of the menu bar; with ``action`` (owner, name, entity) it runs that context action on the
    rows selected in the page's list of that entity, and leads to the list on other pages."""

    label: str
    url: str
    shortcut: str | None = None
    action: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class LicenceWarning:
    module_id: str
    module_name: str
    state: str
    message: str


@dataclass
class Layout:
    """What base.html shows around every page."""

    menu: list[tuple[str, list[MenuEntry]]] = field(default_factory=list)
    warnings: list[LicenceWarning] = field(default_factory=list)
    #: The modules enabled when the layout was loaded (a module page's 404 check reuses them); None when
    #: the layout could not be loaded.
    enabled: frozenset[str] | None = None


def _load_layout() -> None:
    """Load the layout of a page request in its own short transaction, before the view opens one."""
    if request.method == "GET" and request.endpoint not in (None, "static"):
        shell_layout()


def shell_layout() -> Layout:
    """The menu bar and licence warnings of this request (loaded once, on first use; none before sign-in)."""
    if "shell_layout" not in g and current_user() is None:
        g.shell_layout = Layout()
    if "shell_layout" not in g:
        host = current_host()
        try:
            with host.session() as session:
                enabled = frozenset(host.enabled_modules(session))
                g.shell_layout = Layout(_menu(host, session, enabled), _licence_warnings(host, session), enabled)
        except (HostError, SQLAlchemyError):
            log.exception("menu bar and licence warnings cannot be loaded")
            g.shell_layout = Layout()
    return g.shell_layout


MENU_CACHE = "host_stub.menus"


def _menu(host: Host, session, enabled: frozenset[str]) -> list[tuple[str, list[MenuEntry]]]:
    """The menu bar of the modules ``enabled`` for the current user's role: collected from the hooks once
    per set of enabled modules and role and kept by the app (menu items and context actions are
    declarations; docs/hooks.md says so; the role decides which of them a user sees)."""
    menus = current_app.extensions.setdefault(MENU_CACHE, {})
    user = host.users.current()
    key = (enabled, user.role if user else None)
    if key not in menus:
        menus[key] = _collect_menu(host, session)
    return menus[key]


def _collect_menu(host: Host, session) -> list[tuple[str, list[MenuEntry]]]:
    bar = []
    for workspace, items in host.menu(session).items():
        entries = []
        for owner, item in items:
            try:
                url = current_app.url_for(item.endpoint) if item.endpoint in current_app.view_functions else None
            except BuildError:
                url = None
            if url is None:
                log.warning("menu item %r of %s points to unknown endpoint %r; skipped", item.label, owner,
                            item.endpoint)
                continue
            entries.append(MenuEntry(item.label, url, item.shortcut))
            if item.entity:
                entries.extend(MenuEntry(action.label, url, action=(action_owner, action.name, item.entity))
                               for action_owner, action in host.context_actions(session, item.entity))
        bar.append((workspace, entries))
    return bar


def _licence_warnings(host: Host, session) -> list[LicenceWarning]:
    warnings = []
    for module_id in sorted(host.enabled_modules(session)):
        status = host.licensing.status(session, module_id)
        if status.warning:
            warnings.append(LicenceWarning(module_id, host.module(module_id).manifest.name, status.state,
                                           status.message))
    return warnings


# -- error pages -------------------------------------------------------------------------------


def _host_error(exc: HostError):
    return _error_page(exc.status, str(exc))


def _database_error(exc: Exception):
    """A database error a request can run into (value out of range, database gone): its German words."""
    log.warning("request refused by the database: %s", exc)
    return _host_error(database_error(exc))  # registered only for the errors database_error words


def _untrusted_host_page():
    """The refusal of a foreign host name: a plain page, since URLs cannot be built for that name."""
    name = re.sub(r":\d*$", "", request.environ.get("HTTP_HOST", ""))
    message = (
        f"Dieser Server ist unter dem Namen „{name[:100]}“ nicht freigegeben (Schutz vor DNS-Rebinding); es wurde "
        "nichts ausgeführt. Öffnen Sie ihn unter http://127.0.0.1 oder dem Namen, mit dem er gestartet wurde. "
        "Soll er auch unter diesem Namen erreichbar sein: host-stub serve --trusted-host NAME."
    )
    return _plain_page(ERROR_TITLES[400], message), 400


def _http_error(exc: HTTPException):
    code = exc.code or 500
    if isinstance(exc, SecurityError):
        return _untrusted_host_page()
    if isinstance(exc, InternalServerError):
        message = ERROR_MESSAGES[500]  # never the exception text: it may hold internals
    elif isinstance(exc, CSRFError) or exc.description != type(exc).description:
        message = exc.description  # a message of our own, or a view's abort(404, "...")
    else:
        message = ERROR_MESSAGES.get(code, ERROR_TITLES.get(code, exc.name))
    return _error_page(code, message)


def _back_url() -> str | None:
    """Where the error page's "Zurück" leads: the page the failed request came from."""
    target = safe_next(request.values.get("next"))
    if target:
        return target
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path != request.path:
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return None


def _error_page(status: int, message: str):
    title = ERROR_TITLES.get(status, "Fehler")
    try:
        return render_template("shell/error.html", status=status, title=title, message=message,
                               back_url=_back_url()), status
    except Exception:  # the error page itself failed: still no traceback for the user
        log.exception("error page cannot be rendered")
        return _plain_page(title, message), status


def _plain_page(title: str, message: str) -> str:
    return (f'<!doctype html><html lang="de"><title>{escape(title)}</title><h1>{escape(title)}</h1>'
            f"<p>{escape(message)}</p></html>")
