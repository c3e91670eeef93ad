"""Sending a ``Download``: its content type, and a file name that is safe whatever a module or a user put in.

The name loses path parts ("../../etc/passwd" -> "passwd"), control and invisible formatting characters
(CR/LF would split the header, U+202E turns "gpj.exe" around) and the characters Windows refuses in file
names. The header carries it twice (RFC 6266): an ASCII fallback ``filename="Uebersicht.csv"`` for old
clients and ``filename*=UTF-8''%C3%9Cbersicht.csv`` (RFC 5987) with the umlauts.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import Response

from host_stub.api import Download

FALLBACK_NAME = "download"
MAX_NAME_CHARS = 150
#: type/subtype with optional parameters; anything else (a CR/LF, a stray quote) is sent as octet-stream.
_CONTENT_TYPE = re.compile(r"[\w.+-]+/[\w.+-]+(\s*;\s*[\w.-]+=[\w.-]+)*")
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
_ASCII_TRANSLATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def safe_filename(name: str) -> str:
    """The last path part of ``name`` without control/format characters and characters Windows forbids."""
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    name = _WINDOWS_FORBIDDEN.sub("_", name).strip(" .")
    if len(name) > MAX_NAME_CHARS:
        _stem, dot, extension = name.rpartition(".")
        keep = extension if dot and len(extension) <= 10 else ""
        name = name[: MAX_NAME_CHARS - len(keep) - 1].rstrip(" .") + (f".{keep}" if keep else "")
    return name or FALLBACK_NAME


def content_disposition(filename: str) -> str:
    """``attachment`` with the safe name: ASCII fallback, and ``filename*`` when the name is not plain ASCII."""
    name = safe_filename(filename)
    ascii_name = unicodedata.normalize("NFKD", name.translate(_ASCII_TRANSLATION))
    ascii_name = "".join(ch for ch in ascii_name if 32 <= ord(ch) < 127 and ch not in '"\\').strip(" .")
    header = f'attachment; filename="{ascii_name or FALLBACK_NAME}"'
    if ascii_name != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def download_response(download: Download) -> Response:
    """The response that hands ``download`` to the browser as a file (never shown as a page, never cached)."""
    content_type = download.content_type.strip()
    if not _CONTENT_TYPE.fullmatch(content_type):
        content_type = "application/octet-stream"
    response = Response(download.data, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition(download.filename)
    response.headers["Cache-Control"] = "no-store"
    return response
