"""The CRM's entries in the right-click menus of the customer and prospect lists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from crm_module import conversion, prospects
from crm_module.parties import get_party, label
from host_stub.api import ActionResult, ContextAction, plural

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

#: Pages of the CRM's web blueprint (crm_module/web) that actions open.
EDIT_ENDPOINT = "crm.edit_prospect"
MERGE_ENDPOINT = "crm.merge_preview"
CUSTOMER_RECORD_ENDPOINT = "crm.customer_record"
LIST_ASSIGNMENT_ENDPOINT = "crm.list_assignment"


def to_prospects(host: Host, session: Session, ids: list[int]) -> ActionResult:
    pairs = conversion.revert(host, session, ids)
    return ActionResult(f"{plural(len(pairs), 'Kunde', 'Kunden')} in Interessenten umgewandelt.")


def copy_prospect(host: Host, session: Session, ids: list[int]) -> ActionResult:
    """Copies the prospect and opens the copy, as the dialog of the original would."""
    party = prospects.copy(host, session, ids[0])
    return ActionResult(f"Kopie {party.number} von {get_party(session, ids[0]).number} angelegt.",
                        redirect_endpoint=EDIT_ENDPOINT, redirect_args={"prospect_id": party.id}, back=True)


def edit_prospect(host: Host, session: Session, ids: list[int]) -> ActionResult:
    party = get_party(session, ids[0])
    return ActionResult(f"Interessent {party.number} bearbeiten.", redirect_endpoint=EDIT_ENDPOINT,
                        redirect_args={"prospect_id": party.id}, back=True)


def merge_prospects(host: Host, session: Session, ids: list[int]) -> ActionResult:
    """Opens the merge preview; the merge itself happens there after the user confirmed it."""
    return ActionResult(f"{len(set(ids))} Interessenten zusammenführen: bitte die Vorschau prüfen.",
                        redirect_endpoint=MERGE_ENDPOINT, redirect_args={"ids": list(dict.fromkeys(ids))})


def open_customer_record(host: Host, session: Session, ids: list[int]) -> ActionResult:
    customer = host.customers.get(session, ids[0])
    return ActionResult(f"CRM-Akte von Kunde {customer.number}.", redirect_endpoint=CUSTOMER_RECORD_ENDPOINT,
                        redirect_args={"customer_id": customer.id})


def delete_prospects(host: Host, session: Session, ids: list[int]) -> ActionResult:
    ids = list(dict.fromkeys(ids))
    named = label(get_party(session, ids[0])) if len(ids) == 1 else plural(len(ids), "Interessent", "Interessenten")
    prospects.delete_prospects(host, session, ids)
    return ActionResult(f"{named} gelöscht.")


def to_customers(host: Host, session: Session, ids: list[int]) -> ActionResult:
    pairs = conversion.convert(host, session, ids)
    return ActionResult(f"{plural(len(pairs), 'Interessent', 'Interessenten')} in Kunden umgewandelt.")


def _choose_list(mode: str):
    """An action that opens the page where the user picks the list for the selected rows."""

    def choose(host: Host, session: Session, ids: list[int]) -> ActionResult:
        chosen = plural(len(set(ids)), "Interessent", "Interessenten")
        return ActionResult(f"{chosen} markiert: bitte die Liste wählen.",
                            redirect_endpoint=LIST_ASSIGNMENT_ENDPOINT,
                            redirect_args={"ids": list(dict.fromkeys(ids)), "aktion": mode})

    return choose


def for_entity(entity: str) -> list[ContextAction]:
    if entity == "customer":
        return [ContextAction("open_record", "CRM-Akte öffnen", "customer", open_customer_record,
                              selection="one", order=400),
                ContextAction("to_prospects", "In Interessenten umwandeln", "customer", to_prospects,
                              selection="many", confirm="{count} Kunden in Interessenten umwandeln?",
                              confirm_one="Kunde {label} in einen Interessenten umwandeln?", writes=True, order=500)]
    if entity == "prospect":
        return [
            ContextAction("edit", "Bearbeiten", "prospect", edit_prospect, selection="one", order=10, button=True),
            ContextAction("copy", "Kopieren", "prospect", copy_prospect, selection="one", writes=True, order=20,
                          button=True),
            ContextAction("delete", "Löschen", "prospect", delete_prospects, selection="many",
                          confirm="{count} Interessenten löschen?", confirm_one="Interessent {label} löschen?",
                          writes=True, order=30, button=True),
            ContextAction("to_customers", "In Kunden umwandeln", "prospect", to_customers, selection="many",
                          confirm="{count} Interessenten in Kunden umwandeln?",
                          confirm_one="Interessent {label} in einen Kunden umwandeln?", writes=True, order=40,
                          button=True),
            ContextAction("merge", "Zusammenführen", "prospect", merge_prospects, selection="several", order=600),
            ContextAction("add_to_list", "Zu Liste hinzufügen …", "prospect", _choose_list("add"), selection="many",
                          order=700),
            ContextAction("remove_from_list", "Von Liste entfernen …", "prospect", _choose_list("remove"),
                          selection="many", order=710),
        ]
    return []
