"""Host customers are checked like prospects: length per column, e-mail, country, no control characters."""

import pytest

from crm_module import prospects
from host_stub.errors import HostError
from host_stub.validation import InvalidFields


def customer_count(host):
    with host.session() as session:
        return host.customers.page(session)[1]


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"company": "x" * 300}, "company", "Höchstens 200 Zeichen (es sind 300)."),
    ({"company": "A GmbH", "city": "K" * 101}, "city", "Höchstens 100 Zeichen (es sind 101)."),
    ({"company": "Null\x00GmbH"}, "company", "unzulässiges Steuerzeichen (U+0000 an Stelle 5)"),
    ({"company": "A GmbH", "street": "Weg\x1b[31m"}, "street", "Steuerzeichen (U+001B"),
    ({"company": "A GmbH", "email": "keine-adresse"}, "email", "„keine-adresse“ ist keine gültige E-Mail-Adresse"),
    ({"company": "A GmbH", "country": "Deutschland"}, "country", "kein Ländercode nach ISO 3166"),
    ({"company": "A GmbH", "payment_terms_days": "bald"}, "payment_terms_days", "ganze Zahl"),
    ({"company": "A GmbH", "discount_percent": "150"}, "discount_percent", "Erlaubt sind 0 bis 100 Prozent."),
    ({"company": ""}, "company", "braucht eine Firma oder einen Nachnamen"),
])
def test_wrong_fields_are_refused_with_a_german_message_and_nothing_is_stored(host, fields, field, message):
    with pytest.raises(InvalidFields) as refused, host.session() as session:
        host.customers.create(session, **fields)
    assert message in refused.value.errors[field]
    assert customer_count(host) == 0


def test_valid_input_is_stored_tidied(host):
    with host.session() as session:
        customer = host.customers.create(session, company="  Bäckerei \t Schmitz ", country="at",
                                         email="info@schmitz.example", discount_percent="2,5")
    assert (customer.company, customer.country, customer.discount_percent) == ("Bäckerei Schmitz", "AT", 2.5)


def test_an_update_is_checked_too_and_changes_nothing_when_refused(host):
    with host.session() as session:
        customer = host.customers.create(session, company="Alt GmbH")
    with pytest.raises(InvalidFields, match="Firma: Höchstens 200 Zeichen"), host.session() as session:
        host.customers.update(session, customer.id, company="y" * 201, city="Bonn")
    with host.session() as session:
        assert (host.customers.get(session, customer.id).company, customer.city) == ("Alt GmbH", "")


def test_the_crm_record_of_a_customer_opens_after_a_refused_long_company(host):
    with pytest.raises(HostError), host.session() as session:
        host.customers.create(session, company="z" * 300)
    with host.session() as session:
        customer = host.customers.create(session, company="Kurz GmbH")
        assert prospects.for_customer(host, session, customer.id)["company"] == "Kurz GmbH"


@pytest.mark.parametrize(("args", "message"), [
    (("--company", "x" * 300), "Firma: Höchstens 200 Zeichen (es sind 300)."),
    (("--company", "Null\x00GmbH"), "Firma: Enthält ein unzulässiges Steuerzeichen"),
    (("--company", "A GmbH", "--email", "a@b"), "E-Mail: „a@b“ ist keine gültige E-Mail-Adresse"),
    (("--company", "A GmbH", "--country", "XX"), "Land: „XX“ ist kein Ländercode"),
])
def test_the_cli_refuses_wrong_input_naming_the_field(cli, args, message):
    cli("init")
    result = cli("customers", "add", *args)
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output
    assert "0 Kunde" in cli("customers", "list").output


def test_prospects_refuse_control_characters_with_the_same_check(host):
    from crm_module.errors import InvalidInput
    from tests.crm.conftest import prospect_data

    with pytest.raises(InvalidInput) as refused, host.session() as session:
        prospects.create(host, session, prospect_data(company="Null\x00GmbH", city="Köln\x07"))
    assert "U+0000" in refused.value.errors["company"] and "U+0007" in refused.value.errors["city"]


def test_a_search_with_a_control_character_is_refused_not_a_database_error(host):
    with pytest.raises(HostError, match="Suche: Enthält ein unzulässiges Steuerzeichen \\(U\\+0000"), \
            host.session() as session:
        host.customers.page(session, search="Schmitz\x00")
