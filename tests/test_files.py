"""The module file store (``host.files``): limits, safe names, listing and deleting, each module apart."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import func, select

from host_stub.errors import HostError, NotFound
from host_stub.models import StoredFile, StoredFileContent
from host_stub.plugins import PluginRegistry


@pytest.fixture
def two_modules(make_host):
    """A host with the CRM and the third module (``notes``) enabled."""
    registry = PluginRegistry()
    registry.discover(extra=["tests.third_module.plugin"])
    return make_host(registry, enable=("crm", "notes"))


def stored_rows(host) -> tuple[int, int]:
    with host.session() as session:
        return (session.scalar(select(func.count()).select_from(StoredFile)),
                session.scalar(select(func.count()).select_from(StoredFileContent)))


def test_a_file_is_stored_with_type_hash_and_time_and_read_back(host, clock):
    data = b"Sehr geehrte Damen und Herren,"
    with host.session() as session:
        stored = host.files.of("crm").add(session, "vorlagen", "Anschreiben.txt", data)
        file_id = stored.id
    with host.session() as session:
        files = host.files.of("crm")
        stored = files.get(session, file_id)
        assert (stored.folder, stored.filename, stored.size) == ("vorlagen", "Anschreiben.txt", len(data))
        assert stored.content_type == "text/plain"
        assert stored.sha256 == hashlib.sha256(data).hexdigest()
        assert stored.created_at == clock()
        assert files.content(session, file_id) == data


def test_a_file_over_the_limit_is_refused_in_german_before_more_is_read_and_nothing_is_stored(host):
    host.files.max_bytes = 1000
    upload = io.BytesIO(b"x" * 5000)
    with pytest.raises(HostError, match="„import.csv“ ist zu groß: erlaubt sind höchstens 1000 Bytes. Es wurde "
                                        "nichts gespeichert"), host.session() as session:
        host.files.of("crm").add(session, "imports", "import.csv", upload)
    assert upload.tell() == 1001  # the rest of the upload was never read
    assert stored_rows(host) == (0, 0)


@pytest.mark.parametrize("name", ["../etc/passwd", "ordner/vorlage.docx", "C:\\vorlage.docx", ".versteckt"])
def test_a_path_like_name_is_refused_and_nothing_is_stored(host, name):
    with pytest.raises(HostError, match="keine Pfade"), host.session() as session:
        host.files.of("crm").add(session, "vorlagen", name, b"data")
    assert stored_rows(host) == (0, 0)


def test_a_bad_folder_name_is_refused(host):
    with pytest.raises(HostError, match="Ordnername „../vorlagen“ ist nicht erlaubt"), host.session() as session:
        host.files.of("crm").add(session, "../vorlagen", "a.txt", b"data")


def test_files_are_listed_by_folder_and_owner_and_deleted_with_their_content(host):
    files = host.files.of("crm")
    with host.session() as session:
        template = files.add(session, "vorlagen", "Brief.docx", b"docx")
        files.add(session, "imports", "januar.csv", b"a;b", owner_key="import-batch:1")
        files.add(session, "imports", "februar.csv", b"c;d", owner_key="import-batch:2")
        template_id = template.id
    with host.session() as session:
        assert [f.filename for f in files.list(session)] == ["februar.csv", "januar.csv", "Brief.docx"]
        assert [f.filename for f in files.list(session, folder="vorlagen")] == ["Brief.docx"]
        assert [f.filename for f in files.list(session, owner_key="import-batch:1")] == ["januar.csv"]
        files.delete(session, template_id)
        assert files.delete_for_owner(session, "import-batch:1") == 1
    with host.session() as session:
        assert [f.filename for f in files.list(session)] == ["februar.csv"]
        with pytest.raises(NotFound, match="Diese Datei gibt es nicht"):
            files.get(session, template_id)
    assert stored_rows(host) == (1, 1)


def test_the_same_name_in_a_folder_is_refused_unless_replaced(host):
    files = host.files.of("crm")
    with host.session() as session:
        files.add(session, "vorlagen", "Brief.docx", b"alt")
    with pytest.raises(HostError, match="gibt es schon eine Datei „Brief.docx“"), host.session() as session:
        files.add(session, "vorlagen", "Brief.docx", b"neu")
    with host.session() as session:
        replaced = files.add(session, "vorlagen", "Brief.docx", b"neu", replace=True)
        assert files.content(session, replaced.id) == b"neu"
    assert stored_rows(host) == (1, 1)


def test_a_module_sees_only_its_own_files(two_modules):
    host = two_modules
    with host.session() as session:
        crm_file = host.files.of("crm").add(session, "vorlagen", "Brief.docx", b"crm")
        host.files.of("notes").add(session, "vorlagen", "Brief.docx", b"notes")  # same name, other module
        crm_id = crm_file.id
    notes = host.files.of("notes")
    with host.session() as session:
        assert [notes.content(session, f.id) for f in notes.list(session)] == [b"notes"]
        for touch in (notes.get, notes.content, notes.delete):
            with pytest.raises(NotFound):
                touch(session, crm_id)
        assert notes.delete_for_owner(session, "x") == 0
    with host.session() as session:
        assert host.files.of("crm").content(session, crm_id) == b"crm"


def test_an_unknown_module_has_no_file_store(host):
    with pytest.raises(NotFound, match="Unbekanntes Modul 'gibtsnicht'"):
        host.files.of("gibtsnicht")
