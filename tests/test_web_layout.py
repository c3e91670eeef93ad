"""The shell's per-request work is bounded: the menu bar is built once per set of enabled modules, and
a list builds its rows' links without a url_for per row, with the same result."""

from __future__ import annotations

import pytest
from flask import Blueprint, url_for
from werkzeug.routing import BaseConverter

from host_stub.web import create_app, row_link
from tests.conftest import signed_in_client


@pytest.fixture
def app(host):
    return create_app(host)


@pytest.mark.parametrize("row_id", [1, 7, 10000, 2_147_483_647])
def test_row_link_gives_what_url_for_gives(app, row_id):
    with app.test_request_context("/m/crm/?sort=name"):
        link = row_link("crm.edit_prospect", "prospect_id", back="/m/crm/?sort=name&page=2")
        assert link(row_id) == url_for("crm.edit_prospect", prospect_id=row_id, back="/m/crm/?sort=name&page=2")


class Padded(BaseConverter):
    """Ids written with leading zeros: the id's digits are not the path segment."""

    def to_url(self, value) -> str:
        return f"{int(value):012d}"


@pytest.mark.parametrize("rule", ["/zeile", "/zeile/<padded:id>"])
def test_row_link_gives_what_url_for_gives_when_the_id_is_a_query_argument_or_formatted(host, rule):
    pages = Blueprint("other_ids", __name__)
    pages.add_url_rule(rule, "row", lambda **_: "")
    app = create_app(host)
    app.url_map.converters["padded"] = Padded
    app.register_blueprint(pages)
    with app.test_request_context("/"):
        assert row_link("other_ids.row", "id", back="/x")(42) == url_for("other_ids.row", id=42, back="/x")


def test_the_menu_bar_is_collected_once_per_set_of_enabled_modules(host, app, monkeypatch):
    calls = []
    menu = host.menu
    monkeypatch.setattr(host, "menu", lambda session: calls.append(1) or menu(session))
    client = signed_in_client(host, app=app)

    for _ in range(3):
        assert "Interessenten" in client.get("/kunden").get_data(as_text=True)
    assert len(calls) == 1
    with host.session() as session:
        host.set_module_enabled(session, "crm", False)
    assert "Interessenten" not in client.get("/kunden").get_data(as_text=True)
    assert len(calls) == 2
