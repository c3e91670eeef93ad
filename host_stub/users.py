"""Users and sign-in ("Benutzer"): who works with the installation, in which role, and who is acting now.

Passwords are hashed with Argon2id (argon2-cffi's ``PasswordHasher``); a hash made with older
parameters is replaced at the next sign-in. Five wrong passwords in a row lock a login for 15
minutes. The failures are counted per typed login, known or not, and unknown, inactive and wrong
answers read alike, so that sign-in tells nobody which logins exist.

The current user is context-local: the web shell sets it for each request of a signed-in user,
the CLI for the whole command (``--user``, default the first active administrator). Code that runs
with no current user (scripts, tests, ``init`` before the first administrator exists) acts as the
installation itself: no role check refuses it and no name is recorded.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from host_stub.api import ADMINISTRATOR, MITARBEITER, ROLES
from host_stub.errors import Forbidden, HostError, NotFound, SignInRefused
from host_stub.german import quoted
from host_stub.models import SignInFailure, User
from host_stub.validation import InvalidFields, clean_text, email_address

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

#: Wrong passwords in a row after which a login is locked, and for how long.
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
_LOGIN = re.compile(r"[a-z0-9][a-z0-9._@-]{0,79}")
FIELD_LABELS = {"login": "Login", "name": "Name", "email": "E-Mail", "role": "Rolle", "password": "Passwort"}
#: The one answer to a wrong password, an unknown login and an inactive user.
REFUSED = ("Anmeldung fehlgeschlagen: Login oder Passwort ist falsch, oder der Zugang ist deaktiviert. Bitte "
           "prüfen Sie die Eingabe (beim Passwort zählt Groß- und Kleinschreibung); ein Administrator kann das "
           "Passwort zurücksetzen.")


@dataclass(frozen=True)
class UserInfo:
    """A user as the interfaces show it (never the password hash)."""

    id: int
    login: str
    name: str
    email: str
    role: str
    active: bool
    session_epoch: int

    @property
    def is_admin(self) -> bool:
        return self.role == ADMINISTRATOR


@dataclass(frozen=True)
class _Default:
    """The CLI's user before it is looked up: ``login``, or the first active administrator."""

    login: str | None


def _info(user: User) -> UserInfo:
    return UserInfo(user.id, user.login, user.name, user.email, user.role, user.active, user.session_epoch)


def generate_password() -> str:
    """A random password for ``init`` and ``demo`` (16 characters, URL-safe)."""
    return secrets.token_urlsafe(12)


class UserService:
    """``host.users``: the users of this database, sign-in, and the user acting now."""

    def __init__(self, host: Host, hasher: PasswordHasher | None = None) -> None:
        self.host = host
        self.hasher = hasher or PasswordHasher()
        self._current: ContextVar[UserInfo | _Default | None] = ContextVar(f"host_stub.user.{id(self)}",
                                                                          default=None)
        self._dummy_hash: str | None = None

    # -- who is acting -----------------------------------------------------------------------------

    def current(self) -> UserInfo | None:
        """The user on whose behalf the code runs now, or None (the installation itself)."""
        current = self._current.get()
        if isinstance(current, _Default):
            current = self._resolve(current.login)
            self._current.set(current)
        return current

    @contextmanager
    def acting(self, user: UserInfo | None) -> Iterator[None]:
        """Run the block on behalf of ``user`` (the web shell, for one request)."""
        token = self._current.set(user)
        try:
            yield
        finally:
            self._current.reset(token)

    @contextmanager
    def acting_as(self, login: str | None) -> Iterator[None]:
        """Run the block on behalf of ``login``, or of the first active administrator (the CLI).

        The user is looked up on first use, so that commands which need none (``init``, ``--help``)
        work on a database without users.
        """
        token = self._current.set(_Default(login))
        try:
            yield
        finally:
            self._current.reset(token)

    def _resolve(self, login: str | None) -> UserInfo | None:
        with self.host.session() as session:
            if login is None:
                return self.first_administrator(session)
            user = session.scalar(select(User).where(User.login == login.strip().lower()))
            if user is None or not user.active:
                raise HostError(f"Den Benutzer {quoted(login)} gibt es nicht oder er ist deaktiviert. "
                                "Die Benutzer zeigt: host-stub users list")
            return _info(user)

    def may(self, role: str | None) -> bool:
        """Whether the current user may do what needs ``role`` (None: everyone signed in)."""
        user = self.current()
        return role is None or role == MITARBEITER or user is None or user.role == ADMINISTRATOR

    def require(self, role: str | None, what: str) -> None:
        """Raise Forbidden (403, exit 1) unless the current user may do ``what``, which needs ``role``."""
        user = self.current()
        if user is not None and not self.may(role):
            raise Forbidden(f"{what} dürfen nur Benutzer mit der Rolle {role}; Sie sind als {quoted(user.name)} "
                            f"({user.role}) angemeldet. Es wurde nichts geändert. Bitte wenden Sie sich an einen "
                            "Administrator.")

    def actor(self) -> tuple[int | None, str]:
        """``(id, name)`` of the current user, to record who did something (``(None, "")`` for the installation)."""
        user = self.current()
        return (None, "") if user is None else (user.id, user.name)

    # -- reading -----------------------------------------------------------------------------------

    def list(self, session: Session) -> list[UserInfo]:
        return [_info(user) for user in session.scalars(select(User).order_by(User.name, User.id))]

    def get(self, session: Session, user_id: int) -> UserInfo:
        return _info(self._user(session, user_id))

    def by_login(self, session: Session, login: str) -> UserInfo:
        user = session.scalar(select(User).where(User.login == str(login).strip().lower()))
        if user is None:
            raise NotFound(f"Einen Benutzer mit dem Login {quoted(login)} gibt es nicht. "
                           "Die Benutzer zeigt: host-stub users list")
        return _info(user)

    def first_administrator(self, session: Session) -> UserInfo | None:
        user = session.scalar(select(User).where(User.role == ADMINISTRATOR, User.active).order_by(User.id).limit(1))
        return None if user is None else _info(user)

    def _user(self, session: Session, user_id: int) -> User:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"Einen Benutzer mit der ID {user_id} gibt es nicht.")
        return user

    # -- administration (Administrator only) --------------------------------------------------------

    def create(self, session: Session, *, login: str, name: str, password: str, role: str = MITARBEITER,
               email: str = "") -> UserInfo:
        """Add a user; the first user of an installation may be added by anyone (``init``)."""
        if session.scalar(select(func.count()).select_from(User)):
            self.require(ADMINISTRATOR, "Benutzer anlegen")
        errors: dict[str, str] = {}
        login_key = str(login or "").strip().lower()
        if not _LOGIN.fullmatch(login_key):
            errors["login"] = ("Bitte 1 bis 80 Zeichen: Buchstaben a–z, Ziffern und . _ @ - (am Anfang ein Buchstabe "
                               "oder eine Ziffer), z. B. m.mueller.")
        elif session.scalar(select(User.id).where(User.login == login_key)) is not None:
            errors["login"] = f"Den Login {quoted(login_key)} gibt es schon; bitte einen anderen wählen."
        name, problem = clean_text(name, 200)
        if problem or not name:
            errors["name"] = problem or "Bitte den Namen angeben (z. B. Maria Müller)."
        email, problem = clean_text(email or "", 254, email_address)
        if problem:
            errors["email"] = problem
        if role not in ROLES:
            errors["role"] = f"Unbekannte Rolle {quoted(role)}; möglich: {', '.join(ROLES)}."
        problem = self._password_problem(password, login_key)
        if problem:
            errors["password"] = problem
        if errors:
            raise InvalidFields(errors, FIELD_LABELS)
        now = self.host.now()
        user = User(login=login_key, name=name, email=email, role=role, active=True,
                    password_hash=self.hasher.hash(password), session_epoch=0, created_at=now,
                    password_changed_at=now)
        session.add(user)
        session.flush()
        return _info(user)

    def set_password(self, session: Session, user_id: int, password: str) -> UserInfo:
        """An administrator sets a new password: the user's sessions end and a lock-out is lifted."""
        self.require(ADMINISTRATOR, "Passwörter anderer Benutzer setzen")
        user = self._user(session, user_id)
        self._store_password(session, user, password)
        return _info(user)

    def set_active(self, session: Session, user_id: int, active: bool) -> UserInfo:
        """Activate or deactivate a user; deactivation ends the user's sessions. The last administrator stays."""
        self.require(ADMINISTRATOR, "Benutzer aktivieren oder deaktivieren")
        user = self._user(session, user_id)
        if not active:
            self._keep_an_administrator(session, user, "deaktiviert")
            user.session_epoch += 1
        user.active = active
        session.flush()
        return _info(user)

    def set_role(self, session: Session, user_id: int, role: str) -> UserInfo:
        self.require(ADMINISTRATOR, "Rollen vergeben")
        if role not in ROLES:
            raise HostError(f"Unbekannte Rolle {quoted(role)}; möglich: {', '.join(ROLES)}.")
        user = self._user(session, user_id)
        if role != ADMINISTRATOR:
            self._keep_an_administrator(session, user, "zum Mitarbeiter gemacht")
        user.role = role
        session.flush()
        return _info(user)

    def _keep_an_administrator(self, session: Session, user: User, change: str) -> None:
        if user.role != ADMINISTRATOR or not user.active:
            return
        others = session.scalar(select(func.count()).select_from(User).where(
            User.role == ADMINISTRATOR, User.active, User.id != user.id))
        if not others:
            raise HostError(f"{quoted(user.name)} ist der letzte aktive Administrator und kann nicht {change} "
                            "werden. Bitte zuerst einen anderen Benutzer zum Administrator machen.")

    # -- own password and sessions -------------------------------------------------------------------

    def change_password(self, session: Session, user_id: int, current: str, new: str) -> UserInfo:
        """The user changes their own password: the other sessions end (the caller keeps its own)."""
        user = self._user(session, user_id)
        if not self._verify(user.password_hash, current):
            raise SignInRefused("Das bisherige Passwort stimmt nicht. Es wurde nichts geändert.")
        self._store_password(session, user, new)
        return _info(user)

    def end_sessions(self, session: Session, user_id: int) -> None:
        """Log the user out everywhere (logout): every session cookie issued so far stops working."""
        self._user(session, user_id).session_epoch += 1
        session.flush()

    def session_user(self, session: Session, user_id: int, epoch: int) -> UserInfo | None:
        """The user a web session belongs to, or None when it has ended (logout, new password, deactivated)."""
        user = session.get(User, user_id)
        if user is None or not user.active or user.session_epoch != epoch:
            return None
        return _info(user)

    def _password_problem(self, password: str, login: str) -> str | None:
        if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
            return f"Bitte mindestens {MIN_PASSWORD_LENGTH} Zeichen."
        if len(password) > MAX_PASSWORD_LENGTH:
            return f"Höchstens {MAX_PASSWORD_LENGTH} Zeichen (es sind {len(password)})."
        if password.strip().lower() == login:
            return "Das Passwort darf nicht der Login sein."
        return None

    def _store_password(self, session: Session, user: User, password: str) -> None:
        problem = self._password_problem(password, user.login)
        if problem:
            raise InvalidFields({"password": problem}, FIELD_LABELS)
        user.password_hash = self.hasher.hash(password)
        user.password_changed_at = self.host.now()
        user.session_epoch += 1
        failure = session.get(SignInFailure, user.login)
        if failure is not None:
            session.delete(failure)
        session.flush()

    # -- sign-in ------------------------------------------------------------------------------------

    def sign_in(self, login: str, password: str) -> UserInfo:
        """Check login and password in transactions of its own (a failure is counted even though it raises).

        Raises SignInRefused with ``REFUSED`` for a wrong password, an unknown login or an inactive user,
        and with the time until which a login is locked after ``LOCK_AFTER`` failures.
        """
        key = str(login or "").strip().lower()[:80]
        password = str(password or "")[:MAX_PASSWORD_LENGTH + 1]
        now = self.host.now()
        with self.host.session() as session:
            failure = session.get(SignInFailure, key)
            if failure is not None and failure.locked_until is not None and failure.locked_until > now:
                raise SignInRefused(
                    f"Zu viele falsche Passwörter: Die Anmeldung als {quoted(key)} ist bis "
                    f"{failure.locked_until:%H:%M} Uhr (UTC) gesperrt. Bitte warten Sie bis dahin, oder lassen Sie "
                    "Ihr Passwort von einem Administrator zurücksetzen.")
            user = session.scalar(select(User).where(User.login == key)) if key else None
            stored = user.password_hash if user is not None else self._unknown_hash()
            correct = self._verify(stored, password) and user is not None and user.active
            if correct:
                if failure is not None:
                    session.delete(failure)
                if self.hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = self.hasher.hash(password)
                return _info(user)
        self._count_failure(key, now)
        raise SignInRefused(REFUSED)

    def _count_failure(self, key: str, now: datetime) -> None:
        try:
            with self.host.session() as session:
                failure = session.get(SignInFailure, key)
                if failure is None:
                    failure = SignInFailure(login=key, failures=0)
                    session.add(failure)
                if failure.locked_until is not None and failure.locked_until <= now:
                    failure.locked_until = None
                failure.failures += 1
                if failure.failures >= LOCK_AFTER:
                    failure.failures, failure.locked_until = 0, now + LOCK_FOR
        except IntegrityError:  # a failure of the same login counted at the same moment: one is enough
            pass

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def _unknown_hash(self) -> str:
        """A hash to verify against for an unknown login, so that it takes as long as a known one."""
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_hex(16))
        return self._dummy_hash
