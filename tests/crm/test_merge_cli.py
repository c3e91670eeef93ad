"""``host-stub crm merge`` and ``crm undo-merge``: every record's value in the preview, as the
user reads it, and the conflicts of an undo decided per field."""

import pytest

from tests.crm.test_cli import ADD


@pytest.fixture
def crm_cli(cli):
    assert cli("init").exit_code == 0
    assert cli("plugins", "enable", "crm").exit_code == 0
    assert cli(*ADD).exit_code == 0
    second = cli(*ADD[:4], "Bäckerei Schmitz", *ADD[5:13], "--email", "backstube@schmitz.example")
    assert second.exit_code == 0, second.output
    return cli


def test_preview_shows_every_records_value_of_the_differing_fields_in_german(crm_cli):
    preview = crm_cli("crm", "merge", "I10000", "I10001", "--preview")

    assert preview.exit_code == 0, preview.output
    lines = [line.strip() for line in preview.output.splitlines()]
    assert "E-Mail: info@schmitz.example (I10000, bleibt) | backstube@schmitz.example (I10001)" in lines
    assert "Firma: Bäckerei Schmitz GmbH (I10000, bleibt) | Bäckerei Schmitz (I10001)" in lines
    assert "Umsatzsteuer: Regelbesteuerung (Inland)" in lines and "Rabatt: 0 %" in lines
    assert "Geschäftlich/Privat: geschäftlich" in lines and "Zahlungsziel: 14 Tage" in lines
    assert not {"True", "standard", "0.00"} & set(preview.output.replace(":", " ").split())
    assert "Anderen Wert übernehmen: --take feld=Nummer, z. B. --take company=I10001" in lines


def test_preview_marks_the_value_taken_with_take(crm_cli):
    preview = crm_cli("crm", "merge", "I10000", "I10001", "--take", "email=I10001", "--preview")

    assert "E-Mail: info@schmitz.example (I10000) | backstube@schmitz.example (I10001, bleibt)" in [
        line.strip() for line in preview.output.splitlines()]


def test_undo_refuses_with_the_conflicts_until_each_field_is_decided(crm_cli):
    assert crm_cli("crm", "merge", "I10000", "I10001", "--take", "email=I10001", "--yes").exit_code == 0
    assert crm_cli("crm", "prospects", "edit", "I10000", "--email", "neu@schmitz.example").exit_code == 0

    refused = crm_cli("crm", "undo-merge", "1")
    assert refused.exit_code == 1
    assert ("Feld „E-Mail“ wurde nach dem Zusammenführen geändert: jetzt „neu@schmitz.example“, vor dem "
            "Zusammenführen „info@schmitz.example“.") in refused.output
    assert "--keep email" in refused.output and "--restore email" in refused.output

    kept = crm_cli("crm", "undo-merge", "1", "--keep", "email")
    assert kept.exit_code == 0, kept.output
    assert "Zusammenführung 1 rückgängig gemacht" in kept.output
    shown = crm_cli("crm", "prospects", "show", "I10000").output
    assert "neu@schmitz.example" in shown


def test_undo_restores_a_conflicting_field_when_asked(crm_cli):
    crm_cli("crm", "merge", "I10000", "I10001", "--take", "email=I10001", "--yes")
    crm_cli("crm", "prospects", "edit", "I10000", "--email", "neu@schmitz.example")

    restored = crm_cli("crm", "undo-merge", "1", "--restore", "E-Mail")  # by name or German label

    assert restored.exit_code == 0, restored.output
    assert "info@schmitz.example" in crm_cli("crm", "prospects", "show", "I10000").output


def test_merge_log_lists_a_merge_whose_other_record_was_deleted_after_the_undo(crm_cli):
    assert crm_cli("crm", "merge", "I10000", "I10001", "--yes").exit_code == 0
    assert crm_cli("crm", "undo-merge", "1").exit_code == 0
    assert crm_cli("crm", "prospects", "delete", "I10001", "--yes").exit_code == 0

    log = crm_cli("crm", "merges")

    assert log.exit_code == 0, log.output
    assert "I10000 <- gelöscht" in log.output and "rückgängig am" in log.output
