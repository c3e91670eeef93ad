"""Licensing of paid modules: offline licence files signed with Ed25519, bound to one installation.

A licence covers one module for a period (a paid month) in one installation (the database's
installation id). States: ``trial`` (N days from the trial start, N from the manifest), ``active``,
``grace`` (7 days after expiry, with a warning), ``expired``; plus ``clock`` when the system clock
stands behind the latest time seen. ``available`` is a module never enabled and never licensed.
Only writing is refused outside trial/active/grace: the data stays readable and exportable.

The trial start and the latest time seen are not taken from one row: they are also derived from
the data the user keeps (host customers and documents, installed licences, and each module's own
rows through the ``data_timespan`` hook), so deleting a row does not reset them.

A check never writes inside the user's transaction and never waits for a lock: the status is
computed once per transaction (kept in ``session.info``); a write check records the latest time
seen at most every ``RECORD_EVERY``, in a short transaction of its own that gives up instead of
waiting. docs/licensing.md describes the threat model.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from host_stub.api import ADMINISTRATOR
from host_stub.errors import HostError, LicenseRefused
from host_stub.models import Customer, Document, License, ModuleState, Setting

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

log = logging.getLogger(__name__)

#: The vendor's public key; licences for real customers are signed with its private key, which
#: never leaves the vendor (tools/license_vendor.py signs). Tests pass their own key to ``Host``.
VENDOR_PUBLIC_KEY = "qydkSLNzPC6tbrve5WMpqv0iCtvtr2FNmYh2CdHxDcA="
GRACE = timedelta(days=7)
#: How far the clock may stand behind the latest time seen before it counts as set back.
CLOCK_TOLERANCE = timedelta(minutes=10)
#: How often a write check records the latest time seen (and the trial starts it found).
RECORD_EVERY = timedelta(minutes=10)
#: A licence issued at most this long ago ends a clock that ran ahead (see ``install``).
FRESH = timedelta(days=3)
#: A licence file is a few hundred bytes; anything much larger is not one.
MAX_FILE_BYTES = 64 * 1024
#: How long the own short transaction waits for a lock before it gives up.
LOCK_WAIT_MS = 100

INSTALLATION_KEY = "installation.id"
LAST_SEEN_KEY = "licensing.last_seen"
TRIAL_START_KEY = "licensing.trial_start."
CLOCK_RESET_KEY = "licensing.clock_reset"
#: session.info key: what this transaction's checks found (computed once per transaction).
CACHE = "host_stub.licensing"
WRITABLE_STATES = ("free", "trial", "active", "grace")


def _last(column, key):
    """The value of ``column`` in the row with the highest ``key``: an index lookup, not a scan."""
    return select(column).order_by(key.desc()).limit(1).scalar_subquery()


#: The settings licensing keeps, and the newest times in the host's own data, each in one round
#: trip; built once, since building a statement costs more than running it.
_SETTINGS = select(Setting.key, Setting.value).where(
    Setting.key.like("licensing.%") | (Setting.key == INSTALLATION_KEY))
_HOST_TIMES = select(_last(Customer.created_at, Customer.id), _last(Customer.updated_at, Customer.id),
                     _last(Document.created_at, Document.id))
_LICENCES = select(License.module_id, License.signed_text, License.installed_at)  # what the status needs
_MODULE_STATES = select(ModuleState)


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(text: str) -> Ed25519PublicKey:
    """A public key as base64 of its 32 raw bytes, or as PEM."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except ValueError:
        raise HostError("Der öffentliche Lizenzschlüssel ist ungültig "
                        "(erwartet: Base64 mit 32 Bytes oder PEM).") from None
    if not isinstance(key, Ed25519PublicKey):
        raise HostError("Der öffentliche Lizenzschlüssel ist kein Ed25519-Schlüssel.")
    return key


def generate_private_key() -> tuple[bytes, str]:
    """A new signing key as PEM, with its public key as base64 (for the vendor tool and tests)."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return pem, base64.b64encode(raw).decode()


def _canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def check_installation_id(value: str) -> str:
    """The installation id in its canonical form, or HostError: it is a UUID."""
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise HostError(
            f"{value!r} ist keine Installations-ID. Sie hat die Form 3f2c1a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c und "
            "steht beim Kunden unter Datei › Module und Lizenzen und bei 'host-stub license show'."
        ) from None


def issue_license(private_key_pem: bytes, module_id: str, licensee: str, valid_from: datetime,
                  valid_until: datetime, issued_at: datetime, *, installation_id: str) -> str:
    """The text of a licence file for one installation, signed with ``private_key_pem`` (vendor side)."""
    if valid_until <= valid_from:
        raise HostError("Das Ende der Laufzeit muss nach ihrem Beginn liegen.")
    try:
        private = serialization.load_pem_private_key(private_key_pem, password=None)
    except ValueError:
        raise HostError("Der private Schlüssel ist keine gültige PEM-Datei.") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise HostError("Der private Schlüssel ist kein Ed25519-Schlüssel.")
    payload = {
        "module_id": module_id,
        "licensee": licensee,
        "installation_id": check_installation_id(installation_id),
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat(),
        "issued_at": issued_at.isoformat(),
    }
    document = {
        "payload": payload,
        "key_id": key_id(private.public_key()),
        "signature": base64.b64encode(private.sign(_canonical(payload))).decode(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def licence_text(data: bytes | str) -> str:
    """The text of an uploaded or read licence file; a binary or huge file gets its own message."""
    if isinstance(data, str):
        return data
    if len(data) > MAX_FILE_BYTES:
        raise LicenseRefused(f"Die Datei ist keine Lizenzdatei (größer als {MAX_FILE_BYTES // 1024} KB).")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise LicenseRefused("Die Datei ist keine Lizenzdatei (kein Text in UTF-8).") from None


@dataclass(frozen=True)
class LicenseTerms:
    module_id: str
    licensee: str
    installation_id: str
    valid_from: datetime
    valid_until: datetime
    issued_at: datetime
    signature: str


@dataclass(frozen=True)
class LicenseStatus:
    """What the overview shows: the state, a German sentence, and whether writing is allowed."""

    module_id: str
    state: str
    message: str
    licensee: str | None = None
    valid_until: datetime | None = None

    @property
    def writable(self) -> bool:
        return self.state in WRITABLE_STATES

    @property
    def warning(self) -> bool:
        return self.state in ("grace", "expired", "clock")


@dataclass(frozen=True)
class ClockReset:
    """A clock that ran ahead, ended by a fresh licence: times seen in (at, until] no longer count."""

    at: datetime
    until: datetime
    issued_at: datetime

    def hides(self, moment: datetime) -> bool:
        return self.at < moment <= self.until


@dataclass
class _View:
    """What one transaction's checks know: the time, the latest time seen, trial starts, licences."""

    now: datetime
    stored: dict[str, str]
    reset: ClockReset | None
    latest_seen: datetime | None
    trial_starts: dict[str, datetime]
    licences: list[LicenseTerms]
    statuses: dict[str, LicenseStatus] = field(default_factory=dict)

    @property
    def clock_behind(self) -> bool:
        return self.latest_seen is not None and self.now < self.latest_seen - CLOCK_TOLERANCE


def _date(value: datetime) -> str:
    return value.strftime("%d.%m.%Y")


def _parse(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


class Licensing:
    def __init__(self, host: Host, public_key: str | None = None) -> None:
        self.host = host
        self.public_key = load_public_key(public_key or VENDOR_PUBLIC_KEY)
        self._verified_texts: dict[str, LicenseTerms | None] = {}

    # -- the installation ------------------------------------------------------------------------

    def installation_id(self, session: Session) -> str | None:
        """The id licences of this database must name (set by ``init``)."""
        return self.host.settings.get(session, INSTALLATION_KEY)

    def ensure_installation_id(self, session: Session) -> str:
        """Give the database its installation id, once: a random UUID kept in its settings."""
        existing = self.installation_id(session)
        if existing is None:
            existing = str(uuid.uuid4())
            self.host.settings.set(session, INSTALLATION_KEY, existing)
        return existing

    # -- licence files ---------------------------------------------------------------------------

    def verify(self, text: str) -> LicenseTerms:
        """Check a licence file's signature and form; each kind of bad file gets its own message."""
        try:
            document = json.loads(text)
            payload = document["payload"]
            signature = base64.b64decode(document["signature"], validate=True)
            signer = document["key_id"]
        except (ValueError, KeyError, TypeError):
            raise LicenseRefused("Die Datei ist keine Lizenzdatei (Aufbau unlesbar).") from None
        if signer != key_id(self.public_key):
            raise LicenseRefused(
                "Die Lizenz ist mit einem anderen Schlüssel signiert als dem, dem dieses Programm vertraut. "
                "Bitte fordern Sie eine Lizenz beim Hersteller an."
            )
        try:
            self.public_key.verify(signature, _canonical(payload))
        except (InvalidSignature, TypeError, ValueError):
            raise LicenseRefused(
                "Die Lizenzdatei wurde verändert: die Signatur passt nicht mehr zum Inhalt. "
                "Spielen Sie die unveränderte Datei ein, wie Sie sie erhalten haben."
            ) from None
        try:
            return LicenseTerms(
                module_id=str(payload["module_id"]),
                licensee=str(payload["licensee"]),
                installation_id=str(payload["installation_id"]),
                valid_from=datetime.fromisoformat(payload["valid_from"]),
                valid_until=datetime.fromisoformat(payload["valid_until"]),
                issued_at=datetime.fromisoformat(payload["issued_at"]),
                signature=document["signature"],
            )
        except (KeyError, ValueError, TypeError):
            raise LicenseRefused("Die Lizenzdatei ist signiert, aber unvollständig.") from None

    def install(self, session: Session, data: bytes | str, module_id: str | None = None) -> LicenseTerms:
        """Verify and store a licence file (once, however often it is installed).

        Refused for another module, another installation or a clock behind its issue date. A
        fresh licence (issued within ``FRESH``) installed while the clock stands behind the latest
        time seen ends that state: the clock had run ahead, and the vendor's issue date vouches
        for the present time.
        """
        self.host.users.require(ADMINISTRATOR, "Lizenzen einspielen")
        text = licence_text(data)
        terms = self.verify(text)
        if module_id is not None and terms.module_id != module_id:
            raise LicenseRefused(
                f"Diese Lizenz gilt für das Modul {terms.module_id!r}, nicht für {module_id!r}."
            )
        if terms.module_id not in self.host.modules:
            raise LicenseRefused(
                f"Diese Lizenz gilt für das Modul {terms.module_id!r}, das hier nicht installiert ist.")
        ours = self.installation_id(session)
        if ours is None:
            raise HostError("Die Datenbank hat noch keine Installations-ID. Führen Sie 'host-stub init' aus.")
        if terms.installation_id != ours:
            raise LicenseRefused(
                f"Lizenz gehört zu einer anderen Installation (Installations-ID {terms.installation_id}); diese "
                f"Datenbank hat die Installations-ID {ours}. Bitte fordern Sie beim Hersteller eine Lizenz für "
                "diese Installations-ID an (sie steht unter Datei › Module und Lizenzen und bei "
                "'host-stub license show')."
            )
        now = self.host.now()
        if terms.issued_at > now + CLOCK_TOLERANCE:
            raise LicenseRefused(
                f"Die Lizenz wurde am {_date(terms.issued_at)} ausgestellt, die Systemuhr zeigt aber "
                f"{_date(now)}. Bitte stellen Sie Datum und Uhrzeit richtig ein."
            )
        view = self._view(session)
        actor_id, actor_name = self.host.users.actor()
        if all(known.signature != terms.signature for known in view.licences):
            session.add(License(
                module_id=terms.module_id, licensee=terms.licensee, valid_from=terms.valid_from,
                valid_until=terms.valid_until, issued_at=terms.issued_at, signed_text=text, installed_at=now,
                installed_by_id=actor_id, installed_by_name=actor_name,
            ))
            session.flush()
        fresh = terms.issued_at >= now - FRESH and (view.reset is None or terms.issued_at > view.reset.issued_at)
        if view.clock_behind and fresh:
            reset = {"at": now.isoformat(), "until": view.latest_seen.isoformat(),
                     "issued_at": terms.issued_at.isoformat()}
            self.host.settings.set(session, CLOCK_RESET_KEY, json.dumps(reset))
            self.host.settings.set(session, LAST_SEEN_KEY, now.isoformat())
        self.forget(session)
        return terms

    # -- status ----------------------------------------------------------------------------------

    def forget(self, session: Session) -> None:
        """Drop what this transaction's checks found (after enabling a module or installing a licence)."""
        session.info.pop(CACHE, None)

    def status(self, session: Session, module_id: str) -> LicenseStatus:
        """The module's licence state; reads only, once per transaction."""
        return self._status(module_id, self._view(session))

    def require_writable(self, session: Session, module_id: str) -> None:
        """Raise LicenseRefused unless the module may write; records the latest time seen now and then."""
        view = self._view(session)
        if self._due(view):
            self._record(session, view)
        status = self._status(module_id, view)
        if not status.writable:
            raise LicenseRefused(status.message)

    def trial_start(self, session: Session, module_id: str) -> datetime | None:
        """When the module's trial began, from every place that remembers it (None: never used)."""
        return self._view(session).trial_starts.get(module_id)

    def remember_trial_start(self, session: Session, module_id: str, start: datetime) -> None:
        """Keep a copy of the trial start in the settings too (inside the enabling transaction)."""
        if self.host.module(module_id).manifest.product is None:
            return
        key = TRIAL_START_KEY + module_id
        stored = _parse(self.host.settings.get(session, key))
        if stored is None or start < stored:
            self.host.settings.set(session, key, start.isoformat())
        self.forget(session)

    def _status(self, module_id: str, view: _View) -> LicenseStatus:
        if module_id not in view.statuses:
            view.statuses[module_id] = self._compute(module_id, view)
        return view.statuses[module_id]

    def _compute(self, module_id: str, view: _View) -> LicenseStatus:
        manifest = self.host.module(module_id).manifest
        if manifest.product is None:
            return LicenseStatus(module_id, "free", "kostenlos")
        now = view.now
        if view.clock_behind:
            return LicenseStatus(module_id, "clock", (
                f"Die Systemuhr steht vor dem zuletzt gesehenen Zeitpunkt "
                f"({view.latest_seen:%d.%m.%Y %H:%M}). Bitte stellen Sie Datum und Uhrzeit richtig ein; bis "
                "dahin ist das Modul schreibgeschützt. Lief die Uhr zuvor falsch vor, spielen Sie eine frisch "
                "beim Hersteller ausgestellte Lizenz ein."
            ))
        licences = [t for t in view.licences if t.module_id == module_id]
        current = [t for t in licences if t.valid_from <= now < t.valid_until]
        if current:
            best = max(current, key=lambda t: t.valid_until)
            return LicenseStatus(module_id, "active", f"lizenziert für {best.licensee} bis {_date(best.valid_until)}",
                                 best.licensee, best.valid_until)
        ended = [t for t in licences if t.valid_until <= now]
        latest = max(ended, key=lambda t: t.valid_until, default=None)
        if latest is not None and now < latest.valid_until + GRACE:
            return LicenseStatus(module_id, "grace", (
                f"Die Lizenz ist am {_date(latest.valid_until)} abgelaufen. Bis zum "
                f"{_date(latest.valid_until + GRACE)} können Sie weiterarbeiten; bitte verlängern Sie sie "
                f"({manifest.product.price_label})."
            ), latest.licensee, latest.valid_until)
        trial_start = view.trial_starts.get(module_id)
        if latest is None and trial_start is None:
            return LicenseStatus(module_id, "available", (
                f"{manifest.product.trial_days} Tage kostenlos testen, danach {manifest.product.price_label}; "
                "der Testzeitraum beginnt beim Aktivieren."
            ))
        if trial_start is not None:
            trial_end = trial_start + timedelta(days=manifest.product.trial_days)
            if now < trial_end:
                return LicenseStatus(module_id, "trial", f"Testzeitraum bis {_date(trial_end)}", None, trial_end)
        reason = (f"die Lizenz ist am {_date(latest.valid_until)} abgelaufen" if latest is not None
                  else "der Testzeitraum ist abgelaufen")
        return LicenseStatus(module_id, "expired", (
            f"Das Modul {manifest.name} ist nicht lizenziert: {reason}. Ihre Daten bleiben erhalten und "
            f"können gelesen und exportiert werden. Zum Bearbeiten eine Lizenz ({manifest.product.price_label}) "
            "erwerben und mit 'host-stub license install DATEI' oder unter Datei › Module einspielen."
        ))

    # -- what the database remembers -------------------------------------------------------------

    def _view(self, session: Session) -> _View:
        """This transaction's view of the time, computed on first use from every place that remembers."""
        view = session.info.get(CACHE)
        if view is not None:
            return view
        stored = dict(session.execute(_SETTINGS).all())
        reset = self._reset(stored.get(CLOCK_RESET_KEY))
        licences, installed = self._installed(session, stored.get(INSTALLATION_KEY))
        paid = [m for m, module in self.host.modules.items() if module.manifest.product is not None]
        starts: dict[str, list[datetime]] = {m: [] for m in paid}
        observed = [t.issued_at for t in licences] + [at for times in installed.values() for at in times]
        for module_id, times in installed.items():
            if module_id in starts:
                starts[module_id].append(min(times))
        for row in session.scalars(_MODULE_STATES):
            observed.append(row.changed_at)
            if row.module_id in starts and row.first_enabled_at is not None:
                starts[row.module_id].append(row.first_enabled_at)
        for module_id in paid:
            copy = _parse(stored.get(TRIAL_START_KEY + module_id))
            if copy is not None:
                starts[module_id].append(copy)
        observed += self._host_data_times(session)
        for owner, (earliest, latest) in self.host.hooks.data_timespan(session=session):
            if earliest is not None and owner in starts:
                starts[owner].append(earliest)
            if latest is not None:
                observed.append(latest)
        seen = [t for t in observed if reset is None or not reset.hides(t)]
        last_seen = _parse(stored.get(LAST_SEEN_KEY))  # rewritten when a clock reset is made: never hidden
        view = _View(
            now=self.host.now(), stored=stored, reset=reset,
            latest_seen=max([*seen, *([last_seen] if last_seen else [])], default=None),
            trial_starts={m: min(found) for m, found in starts.items() if found}, licences=licences,
        )
        session.info[CACHE] = view
        return view

    @staticmethod
    def _reset(text: str | None) -> ClockReset | None:
        if not text:
            return None
        try:
            data = json.loads(text)
            return ClockReset(*(datetime.fromisoformat(data[k]) for k in ("at", "until", "issued_at")))
        except (ValueError, KeyError, TypeError):
            return None

    @staticmethod
    def _host_data_times(session: Session) -> list[datetime]:
        """The newest times in the host's own data: its last customer and its last document."""
        return [t for t in session.execute(_HOST_TIMES).one() if t is not None]

    def _installed(self, session: Session, ours: str | None) -> tuple[list[LicenseTerms], dict[str, list[datetime]]]:
        """Installed licences of installation ``ours``, verified from their signed text (edited rows do
        not count), and when they were installed, per module."""
        terms, installed = [], {}
        for row in session.execute(_LICENCES):
            verified = self._verified(row.signed_text)
            if verified is not None and verified.module_id == row.module_id and verified.installation_id == ours:
                terms.append(verified)
                if verified.module_id in self.host.modules:
                    installed.setdefault(verified.module_id, []).append(row.installed_at)
        return terms, installed

    def _verified(self, text: str) -> LicenseTerms | None:
        """``verify`` without the exception, remembered per text: a signature is checked once per process."""
        if text not in self._verified_texts:
            if len(self._verified_texts) > 1000:
                self._verified_texts.clear()
            try:
                self._verified_texts[text] = self.verify(text)
            except LicenseRefused:
                self._verified_texts[text] = None
        return self._verified_texts[text]

    # -- recording the latest time seen ----------------------------------------------------------

    def _due(self, view: _View) -> bool:
        last = _parse(view.stored.get(LAST_SEEN_KEY))
        return last is None or view.now >= last + RECORD_EVERY or any(
            TRIAL_START_KEY + m not in view.stored for m in view.trial_starts)

    def _record(self, session: Session, view: _View) -> None:
        """Store the latest time seen and the trial starts found, in a short transaction of its own."""
        values = {TRIAL_START_KEY + m: start.isoformat() for m, start in view.trial_starts.items()
                  if _parse(view.stored.get(TRIAL_START_KEY + m)) != start}
        if not view.clock_behind:
            values[LAST_SEEN_KEY] = max(view.now, view.latest_seen or view.now).isoformat()
        view.stored.update(values)  # once per transaction, whether or not it gets through
        if values:
            self._store(session, values)

    def _store(self, session: Session, values: dict[str, str]) -> None:
        """Upsert settings outside the user's transaction; give up rather than wait for a lock.

        On SQLite a transaction that has written holds the database's write lock, so a second
        connection of the same thread could only wait for it: then the next transaction records.
        """
        engine = self.host.engine
        sqlite = engine.dialect.name == "sqlite"
        if sqlite and getattr(session.connection().connection.dbapi_connection, "in_transaction", False):
            return
        table = Setting.__table__
        try:
            with engine.connect() as connection:
                with connection.begin():
                    if sqlite:
                        waited = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
                        connection.exec_driver_sql(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
                    else:
                        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'")
                    try:
                        for key, value in values.items():
                            changed = connection.execute(update(table).where(table.c.key == key).values(value=value))
                            if not changed.rowcount:
                                connection.execute(insert(table).values(key=key, value=value))
                    finally:
                        if sqlite:
                            connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(waited)}")
        except DBAPIError as exc:  # locked, or stored by another process meanwhile: a later check records
            log.info("latest time seen not recorded this time: %s", exc.orig)
