"""Users see prospect and customer numbers, never internal ids; German counts have their real
plural; questions name the record they are about."""

from __future__ import annotations

import json
import re

import pytest

from crm_module import conversion
from crm_module.errors import InvalidInput
from tests.conftest import signed_in_client
from tests.crm.conftest import create, prospect_data
from tests.crm.test_cli import ADD, crm_cli, listing  # noqa: F401 (crm_cli is a fixture)
from tests.test_web import text_of


def test_customers_to_prospects_takes_customer_numbers(crm_cli):
    crm_cli(*ADD)
    crm_cli(*ADD[:4], "Zweite GmbH", *ADD[5:])
    assert crm_cli("crm", "prospects", "convert", "I10000", "I10001", "--yes").exit_code == 0

    asked = crm_cli("crm", "customers-to-prospects", "K10000", input="n\n")
    assert "Kunde „Bäckerei Schmitz GmbH“ (K10000) in Interessenten umwandeln? [j/N]" in asked.output
    result = crm_cli("crm", "customers-to-prospects", "k10001", "--yes")
    assert result.exit_code == 0, result.output
    assert result.output == "1 Kunde in Interessenten umgewandelt:\n  Kunde K10001 -> I10001\n"

    unknown = crm_cli("crm", "customers-to-prospects", "K99999", "--yes")
    assert unknown.exit_code == 1 and "Einen Kunden mit der Nummer K99999 gibt es nicht." in unknown.output
    wrong = crm_cli("crm", "customers-to-prospects", "Schmitz", "--yes")
    assert wrong.exit_code == 2 and "„Schmitz“ ist keine Kundennummer (z. B. K10001) und keine ID." in wrong.output


def test_a_customer_is_deleted_by_its_number(crm_cli):
    crm_cli("customers", "add", "--company", "Müller & Söhne KG")
    result = crm_cli("customers", "delete", "K10000", "--yes")
    assert result.exit_code == 0 and result.output == "Kunde K10000 gelöscht.\n"


def test_the_delete_question_names_the_prospect(crm_cli):
    crm_cli(*ADD)
    crm_cli(*ADD[:4], "Zweite GmbH", *ADD[5:])
    one = crm_cli("crm", "prospects", "delete", "I10000", input="n\n")
    assert "Interessent „Bäckerei Schmitz GmbH“ (I10000) löschen? [j/N]" in one.output
    both = crm_cli("crm", "prospects", "delete", "I10000", "I10001", input="j\n")
    assert "2 Interessenten (I10000, I10001) löschen? [j/N]" in both.output
    assert both.output.endswith("2 Interessenten gelöscht (0 Kontakte, 0 Dokumente).\n")


def test_plain_list_has_a_header_row_and_counts_with_the_right_plural(crm_cli):
    crm_cli(*ADD)
    text = crm_cli("crm", "prospects", "list", "--count").output.splitlines()
    assert re.match(r"Nr\.\s+Name\s+Ort\s+Status\s+Kt\.\s+Letzter K\.\s+Wiedervorl\.\s+Listen$", text[0])
    assert text[1].startswith("I10000   Bäckerei Schmitz GmbH")
    assert text[-1] == "Seite 1; 1 Interessent insgesamt"
    shown = crm_cli("crm", "prospects", "show", "I10000").output
    assert "0 Kontakte, letzter -" in shown and "Kontakt(e)" not in shown


def test_messages_of_the_cli_name_numbers_not_ids(crm_cli):
    assert crm_cli(*ADD).output == "Interessent I10000 angelegt.\n"
    assert crm_cli("crm", "prospects", "copy", "I10000").output == "Kopie von I10000: I10001.\n"
    crm_cli("crm", "lists", "create", "Messe", "--kind", "mailing")
    assert crm_cli("crm", "lists", "add", "1", "I10000", "I10001").output == "2 Einträge hinzugefügt.\n"
    assert crm_cli("crm", "lists", "remove", "1", "I10000").output == "1 Eintrag entfernt.\n"
    crm_cli("crm", "merge", "I10000", "I10001", "--yes")
    assert re.search(r"^\s+1  \S+ \S+ von Administrator  I10000 <- I10001  \(aktiv\)$", crm_cli("crm", "merges").output,
                     re.M)
    missing = crm_cli("crm", "prospects", "show", "999")
    assert missing.exit_code == 1 and "Einen Interessenten mit der ID 999 gibt es nicht; Interessentennummern " \
                                      "beginnen mit I, z. B. I10001." in missing.output


def test_error_texts_of_pages_and_services_do_not_show_internal_ids(host):
    client = signed_in_client(host)
    page = client.get("/m/crm/4711")
    assert page.status_code == 404
    assert "Diesen Interessenten gibt es nicht (mehr)" in text_of(page) and "4711" not in text_of(page)
    customer = client.get("/m/crm/kunde/4711")
    assert customer.status_code == 404 and "4711" not in text_of(customer)
    with host.session() as session, pytest.raises(Exception) as refused:
        conversion.convert(host, session, [4711])
    assert "4711" not in str(refused.value) and "ID" not in str(refused.value)


def test_the_overview_asks_before_deleting_naming_the_record(host):
    create(host, company="Bäckerei Schmitz")
    page = signed_in_client(host).get("/m/crm/").get_data(as_text=True)
    assert 'data-label="„Bäckerei Schmitz“ (I10000)"' in page
    assert 'data-confirm="{count} Interessenten löschen?" data-confirm-one="Interessent {label} löschen?"' in page


def test_a_customer_record_and_its_dialog_show_the_customer_number(host):
    party_id = create(host)
    with host.session() as session:
        conversion.convert(host, session, [party_id])
        customer_id = host.customers.resolve(session, "K10000").id
    client = signed_in_client(host)
    record_page = text_of(client.get(f"/m/crm/kunde/{customer_id}"))
    assert "Kundennummer K10000" in record_page and "Früher Interessent I10000" in record_page
    dialog = client.get(f"/m/crm/{party_id}").get_data(as_text=True)
    assert re.search(r'<label for="f-number">Kundennr\.</label>\s*<input type="text" id="f-number" value="K10000"',
                     dialog)
    assert "früher Interessent I10000" in dialog


@pytest.mark.parametrize(("field", "value", "message"), [
    ("discount_percent", "150", "Erlaubt sind 0 bis 100 Prozent; eingegeben: 150."),
    ("discount_percent", "-2,5", "Erlaubt sind 0 bis 100 Prozent; eingegeben: -2,50."),
    ("expected_volume", "12345678901", "Erlaubt sind 0 bis 9.999.999.999,99 Euro; eingegeben: 12.345.678.901."),
])
def test_range_messages_are_complete_sentences_with_german_numbers(host, field, value, message):
    from crm_module import prospects

    with host.session() as session, pytest.raises(InvalidInput) as refused:
        prospects.create(host, session, prospect_data(**{field: value}))
    assert refused.value.errors[field] == message


def test_json_listing_is_unchanged_by_the_header(crm_cli):
    crm_cli(*ADD)
    assert [row["number"] for row in listing(crm_cli)["rows"]] == ["I10000"]
    assert json.loads(crm_cli("crm", "prospects", "list", "--json").output)["rows"][0]["name"] == (
        "Bäckerei Schmitz GmbH")
