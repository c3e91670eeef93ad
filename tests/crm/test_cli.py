"""``host-stub crm``: every command, JSON output, and clear German errors with exit code 1."""

import json
from datetime import datetime

import pytest

from tests.crm.conftest import prospect_data

ADD = ["crm", "prospects", "add", "--company", "Bäckerei Schmitz GmbH", "--street", "Hauptstraße",
       "--house-number", "12", "--postcode", "50667", "--city", "Köln", "--email", "info@schmitz.example",
       "--phone", "0221 1234567", "--phone", "Mobil:0171 7654321", "--category", "Händler"]


@pytest.fixture
def crm_cli(cli):
    assert cli("init").exit_code == 0
    assert cli("plugins", "enable", "crm").exit_code == 0
    return cli


def listing(cli, *args):
    result = cli("crm", "prospects", "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_add_list_and_show(crm_cli):
    result = crm_cli(*ADD)
    assert result.exit_code == 0, result.output
    assert "Interessent I10000 angelegt" in result.output
    data = listing(crm_cli, "--count")
    assert data["total"] == 1 and data["has_next"] is False
    assert {k: data["rows"][0][k] for k in ("number", "name", "city", "status")} == {
        "number": "I10000", "name": "Bäckerei Schmitz GmbH", "city": "Köln", "status": "Neu"}
    shown = json.loads(crm_cli("crm", "prospects", "show", "I10000", "--json").output)
    assert [p["kind"] for p in shown["phones"]] == ["Telefon", "Mobil"] and shown["categories"] == ["Händler"]
    text = crm_cli("crm", "prospects", "show", "i10000").output
    assert "Bäckerei Schmitz GmbH" in text and "DE-50667 Köln" in text and "Mobil: +49 171 7654321" in text


def test_add_with_contacts_from_json_input(crm_cli, tmp_path):
    source = tmp_path / "interessent.json"
    source.write_text(json.dumps(prospect_data(contacts=[{"first_name": "Anna", "last_name": "Schmitz"}])),
                      encoding="utf-8")
    assert crm_cli("crm", "prospects", "add", "--json-input", str(source), "--status", "Angebot").exit_code == 0
    shown = json.loads(crm_cli("crm", "prospects", "show", "I10000", "--json").output)
    assert shown["status"] == "Angebot" and shown["contacts"][0]["is_main"] is True


@pytest.mark.parametrize(("args", "message"), [
    (["--email", "info@"], "E-Mail: „info@“ ist keine gültige E-Mail-Adresse"),
    (["--postcode", "5066"], "PLZ: Eine Postleitzahl in DE hat 5 Ziffern"),
    (["--custom", "Farbe=rot"], "Das individuelle Feld „Farbe“ ist nicht eingerichtet"),
    (["--payment-terms-days", "bald"], "Zahlungsziel: Bitte eine ganze Zahl"),
])
def test_invalid_input_is_refused_with_exit_code_1_and_nothing_written(crm_cli, args, message):
    result = crm_cli(*ADD, *args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert listing(crm_cli, "--count")["total"] == 0


def test_unknown_ids_and_numbers_are_clear_errors(crm_cli):
    for args in (["prospects", "show", "I99999"], ["prospects", "edit", "42", "--city", "Bonn"],
                 ["prospects", "delete", "7", "--yes"], ["export", "7"], ["customers-to-prospects", "5", "--yes"]):
        result = crm_cli("crm", *args)
        assert result.exit_code == 1, args
        assert "gibt es nicht" in result.output, args


def test_commands_say_how_to_enable_the_crm(cli):
    cli("init")
    result = cli("crm", "prospects", "list")
    assert result.exit_code == 1 and "host-stub plugins enable crm" in result.output


def test_edit_copy_and_delete(crm_cli):
    crm_cli(*ADD)
    result = crm_cli("crm", "prospects", "edit", "I10000", "--city", "Bonn", "--postcode", "53111",
                     "--status", "In Kontakt")
    assert result.exit_code == 0, result.output
    assert crm_cli("crm", "prospects", "copy", "I10000").output.startswith("Kopie von I10000: I10001")
    rows = listing(crm_cli)["rows"]
    assert {(r["number"], r["city"], r["status"]) for r in rows} == {("I10000", "Bonn", "In Kontakt"),
                                                                     ("I10001", "Bonn", "In Kontakt")}
    assert crm_cli("crm", "prospects", "delete", "I10001", input="n\n").output.endswith("Abgebrochen.\n")
    assert crm_cli("crm", "prospects", "delete", "I10001", "--yes").exit_code == 0
    assert [r["number"] for r in listing(crm_cli)["rows"]] == ["I10000"]


def test_list_filters_search_and_pages(crm_cli):
    for company, status in (("Alpha GmbH", "Neu"), ("Beta GmbH", "Angebot"), ("Gamma GmbH", "Neu")):
        crm_cli(*ADD[:4], company, *ADD[5:], "--status", status)
    assert [r["name"] for r in listing(crm_cli, "--status", "Neu")["rows"]] == ["Alpha GmbH", "Gamma GmbH"]
    assert [r["name"] for r in listing(crm_cli, "--search", "bet")["rows"]] == ["Beta GmbH"]
    first = listing(crm_cli, "--per-page", "2")
    second = listing(crm_cli, "--per-page", "2", "--page", "2")
    assert (first["has_next"], second["has_next"]) == (True, False)
    assert [r["name"] for r in first["rows"] + second["rows"]] == ["Alpha GmbH", "Beta GmbH", "Gamma GmbH"]
    text = crm_cli("crm", "prospects", "list", "--sort", "number", "--desc").output
    assert text.index("Gamma GmbH") < text.index("Alpha GmbH") and "Seite 1" in text


def test_convert_and_back(crm_cli):
    crm_cli(*ADD)
    crm_cli(*ADD[:4], "Zweite GmbH", *ADD[5:])
    result = crm_cli("crm", "prospects", "convert", "--all", "--yes")
    assert result.exit_code == 0, result.output
    assert "2 Interessenten in Kunden umgewandelt" in result.output and "I10000 -> K10000" in result.output
    assert listing(crm_cli)["rows"] == []
    customers = json.loads(crm_cli("customers", "list", "--json").output)["customers"]
    customer_id = next(c["id"] for c in customers if c["number"] == "K10000")
    result = crm_cli("crm", "customers-to-prospects", str(customer_id), "--yes")
    assert result.exit_code == 0 and "Kunde K10000 -> I10000" in result.output
    again = crm_cli("crm", "prospects", "convert", "I10001", "--yes")
    assert again.exit_code == 1 and "Schon Kunde" in again.output


def test_merge_preview_merge_and_undo(crm_cli):
    crm_cli(*ADD)
    crm_cli(*ADD[:4], "Bäckerei Schmitz", *ADD[5:13], "--email", "backstube@schmitz.example")
    preview = crm_cli("crm", "merge", "I10000", "I10001", "--take", "email=I10001", "--preview", "--json")
    plan = json.loads(preview.output)
    assert plan["fields"]["email"]["value"] == "backstube@schmitz.example"
    assert len(listing(crm_cli)["rows"]) == 2  # a preview changes nothing
    result = crm_cli("crm", "merge", "I10000", "I10001", "--take", "email=I10001", "--yes")
    assert result.exit_code == 0 and "crm undo-merge 1" in result.output
    assert [r["number"] for r in listing(crm_cli)["rows"]] == ["I10000"]
    assert json.loads(crm_cli("crm", "merges", "--json").output)[0]["merged_ids"] == [2]
    assert crm_cli("crm", "undo-merge", "1").exit_code == 0
    assert len(listing(crm_cli)["rows"]) == 2


def test_export_and_erase(crm_cli, tmp_path):
    crm_cli(*ADD)
    target = tmp_path / "auskunft.json"
    assert crm_cli("crm", "export", "I10000", "-o", str(target)).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["record"]["company"] == "Bäckerei Schmitz GmbH"
    assert json.loads(crm_cli("crm", "export", "I10000").output)["format"] == "crm-dsgvo-export/1"
    result = crm_cli("crm", "erase", "I10000", "--yes")
    assert result.exit_code == 0 and "anonymer Protokolleintrag" in result.output
    assert listing(crm_cli, "--count")["total"] == 0


def test_fields_events_followups_and_lists(crm_cli):
    crm_cli(*ADD)
    assert crm_cli("crm", "fields", "set", "1", "Größe", "--type", "choice", "--option", "klein",
                   "--option", "groß").exit_code == 0
    assert "Größe  [Auswahl] (klein, groß)" in crm_cli("crm", "fields", "list").output
    assert crm_cli("crm", "prospects", "edit", "I10000", "--custom", "Größe=groß").exit_code == 0
    refused = crm_cli("crm", "prospects", "edit", "I10000", "--custom", "Größe=riesig")
    assert refused.exit_code == 1 and "steht nicht zur Auswahl" in refused.output
    assert crm_cli("crm", "events", "add", "I10000", "--type", "call", "--subject", "Erstgespräch",
                   "--at", "02.11.2026 10:30").exit_code == 0
    assert "Wiedervorlage am 20.11.2026" in crm_cli("crm", "followups", "add", "I10000", "--due", "20.11.2026",
                                                    "--subject", "Nachfassen").output
    assert crm_cli("crm", "lists", "create", "Newsletter", "--kind", "newsletter").exit_code == 0
    assert "1 Eintrag" in crm_cli("crm", "lists", "add", "1", "I10000").output
    row = listing(crm_cli)["rows"][0]
    assert row["contact_count"] == 1 and row["lists"] == ["Newsletter"]
    assert row["next_followup_on"] == "2026-11-20"
    assert datetime.fromisoformat(row["last_contact_at"]) == datetime(2026, 11, 2, 10, 30)
    shown = crm_cli("crm", "prospects", "show", "I10000").output
    assert "1 Größe: groß" in shown and "Anruf: Erstgespräch" in shown
    assert crm_cli("crm", "followups", "done", "1").exit_code == 0
    assert listing(crm_cli)["rows"][0]["next_followup_on"] is None
    assert json.loads(crm_cli("crm", "lists", "show", "--json").output)[0]["members"] == 1
    assert "1 Eintrag" in crm_cli("crm", "lists", "remove", "1", "I10000").output
    kept = crm_cli("crm", "fields", "remove", "1")
    assert kept.exit_code == 1 and "bei 1 Datensatz Werte" in kept.output and "--discard-values" in kept.output
    assert crm_cli("crm", "fields", "remove", "1", "--discard-values").output == "Feld 1 entfernt.\n"


def test_writing_commands_are_refused_after_the_trial_but_reading_works(cli, make_host, clock):
    clock.current = datetime(2020, 1, 1)  # the CRM was enabled long ago; the CLI runs with today's clock
    make_host()
    result = cli(*ADD)
    assert result.exit_code == 1 and "nicht lizenziert" in result.output
    assert listing(cli, "--count")["total"] == 0
