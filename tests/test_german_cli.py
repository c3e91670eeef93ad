"""The command line speaks German throughout: click's own texts (usage, errors, help, prompts) too,
and records are named by their numbers (K10000, I10000), which every command accepts besides ids."""

import json
import re
from pathlib import Path

import click


def test_help_is_german():
    from click.testing import CliRunner

    from host_stub.cli import build_cli

    result = CliRunner().invoke(build_cli(), ["--help"])
    assert result.exit_code == 0
    assert result.output.startswith("Aufruf: ")
    assert "Optionen:" in result.output and "Befehle:" in result.output
    assert re.search(r"-h, --help +Diese Hilfe zeigen und beenden\.", result.output)
    assert "Usage" not in result.output and "Show this message" not in result.output


def test_a_missing_argument_and_an_unknown_command_are_explained_in_german(cli):
    missing = cli("customers", "delete")
    assert missing.exit_code == 2
    assert "Aufruf: " in missing.output and "Fehler: Es fehlt das Argument 'KUNDE'." in missing.output
    assert re.search(r"Hilfe: „\S+ customers delete --help“\.", missing.output)

    unknown = cli("kunden")
    assert unknown.exit_code == 2 and "Fehler: Den Befehl „kunden“ gibt es nicht." in unknown.output

    wrong = cli("customers", "delete", "X17")
    assert wrong.exit_code == 2
    assert "„X17“ ist keine Kundennummer (z. B. K10001) und keine ID." in wrong.output
    assert "Error" not in missing.output + unknown.output + wrong.output


def test_the_confirmation_asks_ja_nein_naming_the_customer(cli):
    assert cli("init").exit_code == 0
    assert cli("customers", "add", "--company", "Bäckerei Schmitz", "--city", "Köln").exit_code == 0

    kept = cli("customers", "delete", "K10000", input="n\n")
    assert "Kunde „Bäckerei Schmitz“ (K10000) löschen? [j/N]" in kept.output
    assert kept.output.endswith("Abgebrochen.\n") and "[y/N]" not in kept.output

    no_answer = cli("customers", "delete", "K10000", input="")
    assert no_answer.exit_code == 1 and "Abgebrochen." in no_answer.output
    assert "Aborted" not in no_answer.output

    unclear = cli("customers", "delete", "k10000", input="vielleicht\nj\n")
    assert "Bitte mit j (ja) oder n (nein) antworten." in unclear.output
    assert unclear.exit_code == 0 and unclear.output.endswith("Kunde K10000 gelöscht.\n")
    assert json.loads(cli("customers", "list", "--json").output)["total"] == 0


def test_customer_list_counts_with_the_right_plural(cli):
    assert cli("init").exit_code == 0
    assert cli("customers", "list").output.endswith("0 Kunden\n")
    cli("customers", "add", "--company", "Eins")
    assert cli("customers", "list").output.endswith("1 Kunde\n")
    added = cli("customers", "add", "--company", "Zwei")
    assert added.output == "Kunde K10001 angelegt.\n"  # the number users know, not the internal id


def test_every_text_of_the_catalogue_is_one_click_has():
    """A click upgrade that rewords a text shows up here instead of silently turning English again."""
    from host_stub.cli_support import CLICK_GERMAN, CLICK_GERMAN_PLURAL

    source = "".join(path.read_text(encoding="utf-8") for path in Path(click.__file__).parent.glob("*.py"))
    for message in [*CLICK_GERMAN, *(text for pair in CLICK_GERMAN_PLURAL for text in pair)]:
        assert f'"{message}"'.encode("unicode_escape").decode() in source or f'"{message}"' in source, message


def test_the_translations_keep_every_placeholder():
    from host_stub.cli_support import CLICK_GERMAN, CLICK_GERMAN_PLURAL

    for message, german in [*CLICK_GERMAN.items(),
                            *((m, g) for pair, forms in CLICK_GERMAN_PLURAL.items() for m, g in zip(pair, forms))]:
        assert set(re.findall(r"\{(\w+)", german)) <= set(re.findall(r"\{(\w+)", message)), message
