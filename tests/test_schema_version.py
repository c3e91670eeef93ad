"""A database written by a newer version: every command refuses with the message ``init`` gives,
and nothing is written into it."""

import pytest
from sqlalchemy import create_engine, func, select, text

from crm_module.models import Party
from host_stub.models import Customer

NEWER = "Die Datenbank steht für {owner} auf einer Revision, die diese Version nicht kennt"

COMMANDS = [
    ("init",),
    ("customers", "add", "--company", "Neu GmbH"),
    ("customers", "list"),
    ("plugins", "list"),
    ("plugins", "enable", "crm"),
    ("license", "show"),
    ("masterdata", "add", "crm_status", "Neu2"),
    ("crm", "prospects", "add", "--company", "Bäckerei Schmitz", "--street", "Hauptstraße", "--house-number", "1",
     "--postcode", "50667", "--city", "Köln"),
    ("crm", "prospects", "list"),
]


def stamp(database_url: str, owner: str, revision: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f"UPDATE {owner}_alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


def counts(database_url: str) -> tuple[int, int]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        found = (connection.scalar(select(func.count()).select_from(Customer)),
                 connection.scalar(select(func.count()).select_from(Party)))
    engine.dispose()
    return found


@pytest.mark.parametrize("owner", ["host", "crm"])
@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:3]) for c in COMMANDS])
def test_every_command_refuses_a_database_of_a_newer_version(cli, database_url, owner, command):
    assert cli("init").exit_code == 0
    assert cli("plugins", "enable", "crm").exit_code == 0
    stamp(database_url, owner, f"{owner}_9999")

    result = cli(*command)

    assert result.exit_code == 1, result.output
    assert NEWER.format(owner=owner) in result.output
    assert "host_9999" in result.output or "crm_9999" in result.output
    assert counts(database_url) == (0, 0)


def test_the_web_interface_refuses_to_start_on_a_database_of_a_newer_version(host, database_url):
    from host_stub.errors import HostError
    from host_stub.host import Host

    stamp(database_url, "host", "host_9999")
    with pytest.raises(HostError, match=NEWER.format(owner="host")):
        Host(database_url)
