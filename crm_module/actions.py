"""The CRM's entries in the right-click menus of the customer and prospect lists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from crm_module import conversion, prospects
from crm_module.parties import get_party
from host_stub.api import ActionResult, ContextAction

if TYPE_CHECKING:  # pragma: no cover
    from host_stub.host import Host

#: Pages of the CRM's web blueprint (crm_module/web) that actions open.
EDIT_ENDPOINT = "crm.edit_prospect"
MERGE_ENDPOINT = "crm.merge_preview"
CUSTOMER_RECORD_ENDPOINT = "crm.customer_record"


def to_prospects(host: Host, session: Session, ids: list[int]) -> ActionResult:
    pairs = conversion.revert(host, session, ids)
    return ActionResult(f"{len(pairs)} Kunde(n) in Interessenten umgewandelt.")


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
    prospects.delete_prospects(host, session, ids)
    return ActionResult(f"{len(ids)} Interessent(en) gelöscht.")


def to_customers(host: Host, session: Session, ids: list[int]) -> ActionResult:
    pairs = conversion.convert(host, session, ids)
    return ActionResult(f"{len(pairs)} Interessent(en) in Kunden umgewandelt.")


def for_entity(entity: str) -> list[ContextAction]:
    if entity == "customer":
        return [ContextAction("open_record", "CRM-Akte öffnen", "customer", open_customer_record,
                              selection="one", order=400),
                ContextAction("to_prospects", "In Interessenten umwandeln", "customer", to_prospects,
                              selection="many", confirm="{count} Kunde(n) in Interessenten umwandeln?",
                              writes=True, order=500)]
    if entity == "prospect":
        return [
            ContextAction("edit", "Bearbeiten", "prospect", edit_prospect, selection="one", order=10, button=True),
            ContextAction("copy", "Kopieren", "prospect", copy_prospect, selection="one", writes=True, order=20,
                          button=True),
            ContextAction("delete", "Löschen", "prospect", delete_prospects, selection="many",
                          confirm="{count} Interessent(en) wirklich löschen?", writes=True, order=30, button=True),
            ContextAction("to_customers", "In Kunden umwandeln", "prospect", to_customers, selection="many",
                          confirm="{count} Interessent(en) in Kunden umwandeln?", writes=True, order=40,
                          button=True),
            ContextAction("merge", "Zusammenführen", "prospect", merge_prospects, selection="several", order=600),
        ]
    return []
