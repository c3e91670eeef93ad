"""One field catalogue: every place that names a field of the party record names it the same way
(the edit dialog, the CLI options, validation messages, the merge preview, the list columns)."""

from __future__ import annotations

import html
import re
from collections import defaultdict

from crm_module import merging
from crm_module.cli import crm
from crm_module.schemas import field_label
from crm_module.web.overview import COLUMNS
from tests.conftest import signed_in_client
from tests.crm.conftest import create


def name_part(text: str) -> str:
    """The field's name in a text that shows it: 'Rabatt (%)' and 'Land: ISO-Code …' name 'Rabatt' and 'Land'."""
    return re.split(r" \(|: ", html.unescape(text).strip(), maxsplit=1)[0]


def dialog_labels(client) -> dict[str, str]:
    """Field -> the label of its input (or the legend of its group) in the dialog of a new prospect."""
    page = client.get("/m/crm/neu").get_data(as_text=True)
    shown = {name: text for name, text in re.findall(r'<label for="f-([a-z_]+)">([^<]+)</label>', page)}
    for legend, body in re.findall(r"<fieldset[^>]*>\s*<legend>([^<]+)</legend>(.*?)</fieldset>", page, re.S):
        inputs = re.findall(r'name="([a-z_]+)', body)
        if inputs:
            shown.setdefault(inputs[0], legend)
    return shown


def cli_labels() -> dict[str, str]:
    """Field -> the help of its option of ``crm prospects add``."""
    command = crm.commands["prospects"].commands["add"]
    return {param.name: param.help for param in command.params if param.help}


def merge_labels(host) -> dict[str, str]:
    first, second = create(host), create(host, company="Schmitz & Söhne")
    with host.session() as session:
        plan = merging.preview(host, session, [first, second])
    return {name: entry["label"] for name, entry in plan["fields"].items()}


def test_every_place_names_a_field_as_the_catalogue_does(host):
    from crm_module.fields import FIELDS

    places = {
        "dialog": dialog_labels(signed_in_client(host)),
        "cli": cli_labels(),
        "merge preview": merge_labels(host),
        "validation": {name: field_label(name) for name in FIELDS},
        "list columns": {column.key: column.label for column in COLUMNS},
    }
    names: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for place, labels in places.items():
        for field, text in labels.items():
            if field in FIELDS:
                names[field][name_part(text)].add(place)
    disagreements = {field: {label: sorted(where) for label, where in shown.items()}
                     for field, shown in names.items() if set(shown) != {FIELDS[field].label}}
    assert disagreements == {}, "\n".join(f"{k}: {v}" for k, v in disagreements.items())
    assert {"postcode", "email", "vat_note", "payment_terms_days", "city", "status"} <= {
        field for field, shown in names.items() if len(set().union(*shown.values())) >= 3}
