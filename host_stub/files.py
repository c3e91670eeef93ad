"""The module file store: files a module keeps that belong to no party (letter templates, uploaded
import files kept with their batch), with size limit, safe names, content type and SHA-256.

Contents live in the database (``host_file_contents``) like the document store's, so a backup of the
database holds them. ``host.files.of(module_id)`` is a module's own view: it sees, changes and
deletes only that module's files.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from host_stub.documents import check_filename
from host_stub.errors import HostError, NotFound
from host_stub.models import StoredFile, StoredFileContent
from host_stub.plugins import HOST_OWNER

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

#: The largest file the store takes: as much as one web request may carry.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_FOLDER = re.compile(r"[a-z][a-z0-9_-]{0,49}")


class FileStore:
    """``host.files``: hands each module its own ``ModuleFiles``."""

    def __init__(self, host: Host, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.host = host
        self.max_bytes = max_bytes

    def of(self, module_id: str) -> ModuleFiles:
        """The files of ``module_id`` (a loaded module, or ``"host"``)."""
        if module_id != HOST_OWNER:
            self.host.module(module_id)  # NotFound for an unknown module
        return ModuleFiles(self, module_id)


class ModuleFiles:
    """One module's files. Every method takes the caller's session, so a file is stored in the same
    transaction as the rows that refer to it (an import batch and its file: both or neither)."""

    def __init__(self, store: FileStore, module_id: str) -> None:
        self.store = store
        self.module_id = module_id

    def add(self, session: Session, folder: str, filename: str, data: bytes | BinaryIO, *,
            content_type: str | None = None, owner_key: str | None = None, replace: bool = False) -> StoredFile:
        """Store a file in ``folder``. ``data`` may be an open binary file (an upload): then no more than
        the limit is read from it. A file of the same name in the folder is refused unless ``replace``."""
        name = check_filename(filename)
        folder = _check_folder(folder)
        content = _read_limited(data, self.store.max_bytes, name)
        if owner_key is not None and not 0 < len(owner_key) <= 100:
            raise HostError("Der Schlüssel, zu dem die Datei gehört, muss 1 bis 100 Zeichen lang sein.")
        existing = session.scalar(select(StoredFile).where(
            StoredFile.module_id == self.module_id, StoredFile.folder == folder, StoredFile.filename == name))
        if existing is not None:
            if not replace:
                raise HostError(f"Im Ordner „{folder}“ gibt es schon eine Datei „{name}“. Bitte löschen Sie sie "
                                "zuerst oder wählen Sie einen anderen Namen.")
            session.delete(existing)
            session.flush()
        stored = StoredFile(
            module_id=self.module_id, folder=folder, filename=name,
            content_type=content_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
            size=len(content), sha256=hashlib.sha256(content).hexdigest(), owner_key=owner_key,
            created_at=self.store.host.now(),
        )
        session.add(stored)
        session.flush()
        session.add(StoredFileContent(file_id=stored.id, data=content))
        session.flush()
        return stored

    def list(self, session: Session, folder: str | None = None, owner_key: str | None = None) -> list[StoredFile]:
        """The module's files (of one folder, of one owner key), by folder, then name; contents not read."""
        query = select(StoredFile).where(StoredFile.module_id == self.module_id)
        if folder is not None:
            query = query.where(StoredFile.folder == folder)
        if owner_key is not None:
            query = query.where(StoredFile.owner_key == owner_key)
        return list(session.scalars(query.order_by(StoredFile.folder, StoredFile.filename, StoredFile.id)))

    def get(self, session: Session, file_id: int) -> StoredFile:
        """One of the module's files; another module's file is as unknown as a deleted one."""
        stored = session.get(StoredFile, file_id)
        if stored is None or stored.module_id != self.module_id:
            raise NotFound("Diese Datei gibt es nicht (mehr); vielleicht wurde sie gelöscht.")
        return stored

    def content(self, session: Session, file_id: int) -> bytes:
        return session.get(StoredFileContent, self.get(session, file_id).id).data

    def delete(self, session: Session, file_id: int) -> StoredFile:
        stored = self.get(session, file_id)
        session.delete(stored)
        session.flush()
        return stored

    def delete_for_owner(self, session: Session, owner_key: str) -> int:
        """Delete the module's files of ``owner_key`` (a batch that is removed); returns how many."""
        result = session.execute(delete(StoredFile).where(StoredFile.module_id == self.module_id,
                                                         StoredFile.owner_key == owner_key))
        return result.rowcount  # their contents go with them (ON DELETE CASCADE)


def _check_folder(folder: str) -> str:
    if not _FOLDER.fullmatch(folder or ""):
        raise HostError(f"Der Ordnername „{folder}“ ist nicht erlaubt: 1 bis 50 Zeichen, Kleinbuchstaben, "
                        "Ziffern, - und _, beginnend mit einem Buchstaben (z. B. „vorlagen“).")
    return folder


def _read_limited(data: bytes | BinaryIO, max_bytes: int, name: str) -> bytes:
    """The file's bytes, refused once they pass ``max_bytes`` (of a stream, no more than that is read)."""
    content = data if isinstance(data, bytes) else data.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise HostError(f"Die Datei „{name}“ ist zu groß: erlaubt sind höchstens {size_text(max_bytes)}. "
                        "Es wurde nichts gespeichert.")
    return content


def size_text(size: int) -> str:
    """A size as people read it: "800 Bytes", "12 KB", "1,5 MB"."""
    if size < 1024:
        return f"{size} Bytes"
    if size < 1_048_576:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1_048_576:.1f} MB".replace(".0 MB", " MB").replace(".", ",")
