"""The README's example commands work as written on the demo data.

The commands are read from the README's code blocks under "Using the host" and "The CRM module",
so the test follows the README; each runs in order on a fresh demo database and must succeed.
A few cannot run here; they are listed with the reason, and the test fails when the README no
longer has one of them (so the list stays true).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
SECTIONS = ("## Using the host", "## The CRM module")
#: Example lines that are not run, with the reason.
NOT_RUN = {
    "host-stub license install FILE": "needs a licence file signed by the vendor",
    "host-stub serve": "keeps running until stopped",
    "host-stub --db sqlite:///neu.sqlite restore sicherung.zip": "the archive of a PostgreSQL run restores into "
                                                                 "PostgreSQL only; tests/test_backup.py restores both",
}


def example_commands() -> list[str]:
    """Every ``host-stub`` line of the code blocks in the README's host and CRM sections, without comments."""
    text = README.read_text(encoding="utf-8")
    commands = []
    for heading in SECTIONS:
        section = text.split(heading, 1)[1].split("\n## ", 1)[0]
        for block in re.findall(r"```bash\n(.*?)```", section, re.S):
            for line in block.splitlines():
                line = re.sub(r"\s+#.*$", "", line).strip()
                commands += [part.strip() for part in line.split("&&") if part.strip().startswith("host-stub")]
    return commands


def test_the_readme_lists_examples_for_the_host_and_the_crm():
    commands = example_commands()
    assert len(commands) >= 20
    assert set(NOT_RUN) <= set(commands)
    assert any(c.startswith("host-stub crm customers-to-prospects K1") for c in commands)


def test_every_example_command_of_the_readme_works_on_the_demo_data(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # "-o daten.json" writes here
    demo = cli("demo", "--no-serve")
    assert demo.exit_code == 0, demo.output
    for command in example_commands():
        if command in NOT_RUN:
            continue
        result = cli(*shlex.split(command)[1:])
        assert result.exit_code == 0, f"{command}\n{result.output}"
        assert "Traceback" not in result.output and "Fehler" not in result.output, command
    assert (tmp_path / "daten.json").exists()
