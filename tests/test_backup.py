"""Backup and restore (Datensicherung): every row and file comes back; a bad archive is refused in German."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from host_stub import backup, migrate
from host_stub.demo import fill_demo
from host_stub.errors import HostError


@pytest.fixture
def other_database(test_database, tmp_path):
    """A second, empty database on the same server as the test's (a restore target)."""
    server = test_database.server
    directory = tmp_path / "other"
    directory.mkdir()
    name = server.test_name(directory)
    server.create(name)
    yield server.url(name)
    server.drop(name)


@pytest.fixture
def demo_host(host):
    """The demo data, plus a document and a module file (their contents live in the database too)."""
    fill_demo(host)
    with host.session() as session:
        customer = host.customers.page(session)[0][0]
        host.documents.add(session, "customer", customer.id, "Angebot.pdf", b"%PDF-1.7 Angebot", kind="offer")
        host.files.of("crm").add(session, "vorlagen", "Serienbrief.docx", bytes(range(256)) * 40)
    return host


def contents(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order (bytes included)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {table: sorted((tuple(row) for row in connection.execute(text(f'SELECT * FROM "{table}"'))),
                                  key=repr)
                    for table in sorted(inspect(connection).get_table_names())}
    finally:
        engine.dispose()


def tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_a_backup_restored_into_another_database_has_every_row_and_file(demo_host, cli, other_database, tmp_path):
    archive = tmp_path / "sicherung.zip"
    result = cli("backup", str(archive))
    assert result.exit_code == 0, result.output
    assert f"Datensicherung {archive} geschrieben" in result.output

    result = cli("--db", other_database, "restore", str(archive))

    assert result.exit_code == 0, result.output
    assert "zurückgespielt" in result.output and "db upgrade" not in result.output
    original, restored = contents(demo_host.database_url), contents(other_database)
    assert restored == original
    assert original["host_documents"] and original["host_document_blobs"] and original["host_file_contents"]
    assert len(original["crm_parties"]) >= 300  # the demo prospects (and its customers)


def test_the_manifest_names_format_versions_and_the_checksum_of_the_database(host, tmp_path):
    manifest = backup.create_backup(host, tmp_path / "sicherung.zip")

    with zipfile.ZipFile(tmp_path / "sicherung.zip") as archive:
        assert json.loads(archive.read(backup.MANIFEST)) == manifest
        [member] = manifest["members"]
        assert archive.getinfo(member).file_size == manifest["members"][member]["size"]
    assert manifest["format"] == "host-stub-backup" and manifest["format_version"] == backup.FORMAT_VERSION
    assert manifest["revisions"] == {owner: migrate.head_revision(schema) for owner, schema in host.schemas().items()}
    assert manifest["database"] == host.engine.dialect.name


def test_a_backup_leaves_out_what_another_transaction_has_not_committed(host, other_database, tmp_path):
    """The server keeps running (and writing) while the backup is taken; the archive holds a consistent state."""
    with host.session() as session:
        host.customers.create(session, company="Gespeichert")
    with host.session() as session:
        host.customers.create(session, company="Noch offen")
        session.flush()
        backup.create_backup(host, tmp_path / "sicherung.zip")

    backup.restore(tmp_path / "sicherung.zip", other_database, host.registry)

    engine = create_engine(other_database)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT company FROM host_customers")).scalars().all() == ["Gespeichert"]
    engine.dispose()


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def rewritten(archive: Path, target: Path, change) -> Path:
    """A copy of ``archive`` whose manifest ``change(manifest)`` edited."""
    with zipfile.ZipFile(archive) as source:
        members = {name: source.read(name) for name in source.namelist()}
    manifest = json.loads(members[backup.MANIFEST])
    change(manifest)
    members[backup.MANIFEST] = json.dumps(manifest).encode()
    return write_zip(target, members)


def newer_schema(manifest):
    manifest["revisions"]["host"] = "host_9999"


def newer_format(manifest):
    manifest["format_version"] = backup.FORMAT_VERSION + 1


def wrong_checksum(manifest):
    for member in manifest["members"].values():
        member["sha256"] = "0" * 64


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BAD_ARCHIVES = {
    "truncated": (lambda good, path: write_bytes(path, good.read_bytes()[: good.stat().st_size // 2]),
                  "unvollständig oder beschädigt"),
    "foreign zip": (lambda good, path: write_zip(path, {"rechnung.txt": b"Hallo"}),
                    "keine Datensicherung von Host-Stub (ihr fehlt die Beschreibung manifest.json)"),
    "not a zip": (lambda good, path: write_bytes(path, b"Nur Text, kein Archiv"),
                  "keine Datensicherung von Host-Stub (keine ZIP-Datei)"),
    "newer schema": (lambda good, path: rewritten(good, path, newer_schema),
                     "stammt von einer neueren Version: host steht dort auf der Revision host_9999"),
    "newer format": (lambda good, path: rewritten(good, path, newer_format),
                     f"hat das Format {backup.FORMAT_VERSION + 1}"),
    "wrong checksum": (lambda good, path: rewritten(good, path, wrong_checksum),
                       "stimmt nicht mit seiner Prüfsumme überein"),
}


@pytest.mark.parametrize("case", BAD_ARCHIVES)
def test_a_bad_archive_is_refused_in_german_and_nothing_is_written(host, cli, other_database, tmp_path, case):
    make, message = BAD_ARCHIVES[case]
    good = tmp_path / "gut.zip"
    backup.create_backup(host, good)
    bad = make(good, tmp_path / "schlecht.zip")

    result = cli("--db", other_database, "restore", str(bad))

    assert result.exit_code == 1
    assert message in result.output and "Es wurde nichts geschrieben" in result.output
    assert "Traceback" not in result.output
    assert tables(other_database) == []


def test_restore_refuses_a_database_that_is_not_empty(host, cli, tmp_path):
    archive = tmp_path / "sicherung.zip"
    backup.create_backup(host, archive)
    before = contents(host.database_url)

    result = cli("restore", str(archive))

    assert result.exit_code == 1
    assert "ist nicht leer" in result.output and "nur in eine leere Datenbank" in result.output
    assert contents(host.database_url) == before


def test_backup_does_not_overwrite_an_existing_file(host, cli, tmp_path):
    archive = tmp_path / "sicherung.zip"
    archive.write_bytes(b"wichtig")

    result = cli("backup", str(archive))

    assert result.exit_code == 1
    assert "gibt es schon; sie wird nicht überschrieben" in result.output
    assert archive.read_bytes() == b"wichtig"


@pytest.mark.backend("postgresql")  # SQLite is backed up without pg_dump
def test_without_pg_dump_a_postgresql_backup_says_what_to_install(host, monkeypatch, tmp_path):
    monkeypatch.setattr(backup, "PG_DUMP", str(tmp_path / "fehlt" / "pg_dump"))

    with pytest.raises(HostError, match="wird das Programm pg_dump gebraucht; es ist auf diesem Rechner nicht "
                                        "installiert.*postgresql-client"):
        backup.create_backup(host, tmp_path / "sicherung.zip")
    assert list(tmp_path.iterdir()) == []


def test_the_web_offers_the_backup_as_a_download_behind_csrf(host, tmp_path):
    from host_stub.api import MITARBEITER
    from tests.conftest import signed_in_client
    from tests.test_web import csrf_token, text_of

    colleague = signed_in_client(host, MITARBEITER)
    assert colleague.get("/datensicherung").status_code == 403  # administrators only
    assert colleague.post("/datensicherung", data={"csrf_token": csrf_token(colleague)}).status_code == 403
    client = signed_in_client(host)
    page = client.get("/datensicherung")
    assert page.status_code == 200 and "Sicherung erstellen und herunterladen" in text_of(page)
    assert 'href="/datensicherung"' in client.get("/kunden").get_data(as_text=True)  # Datei › Datensicherung
    assert client.post("/datensicherung").status_code == 400  # no CSRF token, no backup

    response = client.post("/datensicherung", data={"csrf_token": csrf_token(client)})

    assert response.status_code == 200
    assert response.mimetype == "application/zip" and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == "attachment; filename=host-stub-backup-2026-11-02-0900.zip"
    archive = tmp_path / "download.zip"
    archive.write_bytes(response.get_data())
    response.close()
    assert backup.read_archive(archive, tmp_path)["revisions"]["host"] == migrate.head_revision(host.schema("host"))
