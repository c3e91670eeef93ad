"""Licensing of paid modules: offline licence files signed with Ed25519.

A licence covers one module for a period (a paid month). States: ``trial`` (N days after
first enabling, N from the manifest), ``active``, ``grace`` (7 days after expiry, with a
warning), ``expired``; plus ``clock`` when the system clock stands behind the last time seen.
``available`` is a module never enabled and never licensed. Only writing is refused outside
trial/active/grace: the data stays readable and exportable.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from host_stub.errors import HostError, LicenseRefused
from host_stub.models import License, ModuleState

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

#: The vendor's public key; licences for real customers are signed with its private key.
VENDOR_PUBLIC_KEY = "qydkSLNzPC6tbrve5WMpqv0iCtvtr2FNmYh2CdHxDcA="
PUBLIC_KEY_ENV = "HOST_STUB_LICENSE_PUBLIC_KEY"
GRACE = timedelta(days=7)
#: How far the clock may stand behind the last time seen before it counts as set back.
CLOCK_TOLERANCE = timedelta(minutes=10)
LAST_SEEN_KEY = "licensing.last_seen"
WRITABLE_STATES = ("free", "trial", "active", "grace")


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
        raise HostError("Der öffentliche Lizenzschlüssel ist ungültig (erwartet: Base64 mit 32 Bytes oder PEM).") from None
    if not isinstance(key, Ed25519PublicKey):
        raise HostError("Der öffentliche Lizenzschlüssel ist kein Ed25519-Schlüssel.")
    return key


def generate_private_key() -> tuple[bytes, str]:
    """A new signing key as PEM, with its public key as base64 (for tests and demos)."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return pem, base64.b64encode(raw).decode()


def _canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def issue_license(private_key_pem: bytes, module_id: str, licensee: str, valid_from: datetime,
                  valid_until: datetime, issued_at: datetime) -> str:
    """The text of a licence file, signed with ``private_key_pem``."""
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


@dataclass(frozen=True)
class LicenseTerms:
    module_id: str
    licensee: str
    valid_from: datetime
    valid_until: datetime
    issued_at: datetime


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
        self.public_key = load_public_key(public_key or os.environ.get(PUBLIC_KEY_ENV) or VENDOR_PUBLIC_KEY)

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
        except InvalidSignature:
            raise LicenseRefused(
                "Die Lizenzdatei wurde verändert: die Signatur passt nicht mehr zum Inhalt. "
                "Spielen Sie die unveränderte Datei ein, wie Sie sie erhalten haben."
            ) from None
        try:
            return LicenseTerms(
                module_id=str(payload["module_id"]),
                licensee=str(payload["licensee"]),
                valid_from=datetime.fromisoformat(payload["valid_from"]),
                valid_until=datetime.fromisoformat(payload["valid_until"]),
                issued_at=datetime.fromisoformat(payload["issued_at"]),
            )
        except (KeyError, ValueError, TypeError):
            raise LicenseRefused("Die Lizenzdatei ist signiert, aber unvollständig.") from None

    def install(self, session: Session, text: str, module_id: str | None = None) -> LicenseTerms:
        """Verify and store a licence file; refuses one for another or unknown module."""
        self._check_clock(session)
        terms = self.verify(text)
        if module_id is not None and terms.module_id != module_id:
            raise LicenseRefused(
                f"Diese Lizenz gilt für das Modul {terms.module_id!r}, nicht für {module_id!r}."
            )
        if terms.module_id not in self.host.modules:
            raise LicenseRefused(f"Diese Lizenz gilt für das Modul {terms.module_id!r}, das hier nicht installiert ist.")
        if terms.issued_at > self.host.now() + CLOCK_TOLERANCE:
            raise LicenseRefused(
                f"Die Lizenz wurde am {_date(terms.issued_at)} ausgestellt, die Systemuhr zeigt aber "
                f"{_date(self.host.now())}. Bitte stellen Sie Datum und Uhrzeit richtig ein."
            )
        session.add(License(
            module_id=terms.module_id, licensee=terms.licensee, valid_from=terms.valid_from,
            valid_until=terms.valid_until, issued_at=terms.issued_at, signed_text=text,
            installed_at=self.host.now(),
        ))
        session.flush()
        return terms

    def _check_clock(self, session: Session) -> bool:
        """Remember the latest time seen; False when the clock now stands behind it."""
        now = self.host.now()
        last = _parse(self.host.settings.get(session, LAST_SEEN_KEY))  # a damaged value counts as missing
        if last is not None and now < last - CLOCK_TOLERANCE:
            return False
        if last is None or now > last + timedelta(minutes=1):
            self.host.settings.set(session, LAST_SEEN_KEY, now.isoformat())
        return True

    def _installed(self, session: Session, module_id: str) -> list[LicenseTerms]:
        """Installed licences of a module, re-verified from their signed text (edited rows do not count)."""
        terms = []
        for row in session.scalars(select(License).where(License.module_id == module_id)):
            try:
                verified = self.verify(row.signed_text)
            except LicenseRefused:
                continue
            if verified.module_id == module_id:
                terms.append(verified)
        return terms

    def status(self, session: Session, module_id: str) -> LicenseStatus:
        manifest = self.host.module(module_id).manifest
        if manifest.product is None:
            return LicenseStatus(module_id, "free", "kostenlos")
        now = self.host.now()
        if not self._check_clock(session):
            seen = self.host.settings.get(session, LAST_SEEN_KEY)
            return LicenseStatus(module_id, "clock", (
                f"Die Systemuhr steht vor dem zuletzt gesehenen Zeitpunkt ({seen[:16].replace('T', ' ')}). "
                "Bitte stellen Sie Datum und Uhrzeit richtig ein; bis dahin ist das Modul schreibgeschützt."
            ))
        licences = self._installed(session, module_id)
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
        state = session.get(ModuleState, module_id)
        if latest is None and (state is None or state.first_enabled_at is None):
            return LicenseStatus(module_id, "available", (
                f"{manifest.product.trial_days} Tage kostenlos testen, danach {manifest.product.price_label}; "
                "der Testzeitraum beginnt beim Aktivieren."
            ))
        if state is not None and state.first_enabled_at is not None:
            trial_end = state.first_enabled_at + timedelta(days=manifest.product.trial_days)
            if now < trial_end:
                return LicenseStatus(module_id, "trial", f"Testzeitraum bis {_date(trial_end)}", None, trial_end)
        reason = (f"die Lizenz ist am {_date(latest.valid_until)} abgelaufen" if latest is not None
                  else "der Testzeitraum ist abgelaufen")
        return LicenseStatus(module_id, "expired", (
            f"Das Modul {manifest.name} ist nicht lizenziert: {reason}. Ihre Daten bleiben erhalten und "
            f"können gelesen und exportiert werden. Zum Bearbeiten eine Lizenz ({manifest.product.price_label}) "
            "erwerben und mit 'host-stub license install DATEI' oder unter Datei › Module einspielen."
        ))

    def require_writable(self, session: Session, module_id: str) -> None:
        status = self.status(session, module_id)
        if not status.writable:
            raise LicenseRefused(status.message)
