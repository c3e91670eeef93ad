"""What the host's and the modules' commands share: click's own texts in German, a Ja/Nein question,
and a parameter type for records given by number (K10001, I10004) or by id.

Click words its usage lines, errors and help through ``gettext``, bound in each of its modules as
``_`` and ``ngettext`` when click is imported. ``install_german`` points those names at the
catalogue below, so "Usage:", "Error:", "Missing argument" and "No such command" read German
whatever the locale of the machine; texts the catalogue does not know stay as click has them.
Click's ``confirm`` has its "[y/N]" hard-wired, hence ``confirm`` here.
"""

from __future__ import annotations

import gettext
from typing import Any

import click

from host_stub.german import quoted

#: click's message ids (as in its source, click 8.x) and their German text.
CLICK_GERMAN = {
    "Usage:": "Aufruf:",
    "Options": "Optionen",
    "Commands": "Befehle",
    "Show this message and exit.": "Diese Hilfe zeigen und beenden.",
    "Show the version and exit.": "Die Version zeigen und beenden.",
    "Error: {message}": "Fehler: {message}",
    "Try '{command} {option}' for help.": "Hilfe: „{command} {option}“.",
    "Aborted!": "Abgebrochen.",
    "Missing argument": "Es fehlt das Argument",
    "Missing option": "Es fehlt die Option",
    "Missing parameter": "Es fehlt der Parameter",
    "Missing parameter: {param_name}": "Es fehlt der Parameter {param_name}.",
    "Missing command.": "Bitte einen Befehl angeben.",
    "No such option {name!r}.": "Die Option „{name}“ gibt es nicht.",
    "No such command {name!r}.": "Den Befehl „{name}“ gibt es nicht.",
    "Invalid value: {message}": "Ungültiger Wert: {message}",
    "Invalid value for {param_hint}: {message}": "Ungültiger Wert für {param_hint}: {message}",
    "Option {name!r} does not take a value.": "Die Option „{name}“ nimmt keinen Wert.",
    "Argument {name!r} takes {nargs} values.": "Das Argument „{name}“ braucht {nargs} Werte.",
    "{value!r} is not a valid {number_type}.": "„{value}“ ist keine gültige Zahl.",
    "{value} is not in the range {range}.": "{value} liegt nicht im Bereich {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "„{value}“ ist kein Ja/Nein-Wert. Möglich: {states}",
    "file": "Datei",
    "directory": "Verzeichnis",
    "path": "Pfad",
    "{name} {filename!r} does not exist.": "{name} „{filename}“ gibt es nicht.",
    "{name} {filename!r} is a file.": "{name} „{filename}“ ist eine Datei.",
    "{name} {filename!r} is a directory.": "{name} „{filename}“ ist ein Verzeichnis.",
    "{name} {filename!r} is not readable.": "{name} „{filename}“ ist nicht lesbar.",
    "{name} {filename!r} is not writable.": "{name} „{filename}“ ist nicht beschreibbar.",
    "Could not open file {filename!r}: {message}": "Die Datei „{filename}“ lässt sich nicht öffnen: {message}",
    "unknown error": "unbekannter Fehler",
    "Choose from:\n\t{choices}": "Möglich:\n\t{choices}",
    "env var: {var}": "Umgebungsvariable: {var}",
    "default: {default}": "Standard: {default}",
    "required": "erforderlich",
    "(dynamic)": "(dynamisch)",
    "Repeat for confirmation": "Zur Bestätigung wiederholen",
    "Error: The two entered values do not match.": "Fehler: Die beiden Eingaben stimmen nicht überein.",
    "Error: invalid input": "Fehler: Bitte mit j (ja) oder n (nein) antworten.",
}
#: click's singular/plural message ids and their German forms.
CLICK_GERMAN_PLURAL = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Unerwartetes zusätzliches Argument ({args})", "Unerwartete zusätzliche Argumente ({args})"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("Die Option „{name}“ braucht einen Wert.", "Die Option „{name}“ braucht {nargs} Werte."),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Meinten Sie {possibility}?", "(Meinten Sie eines von: {possibilities}?)"),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("„{value}“ ist nicht möglich; möglich ist {choice}.", "„{value}“ ist nicht möglich; möglich sind {choices}."),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        ("„{value}“ passt nicht zum Format {format}.", "„{value}“ passt zu keinem der Formate {formats}."),
}
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types")


class ClickGerman(gettext.NullTranslations):
    """The catalogue above as a gettext translation."""

    def gettext(self, message: str) -> str:
        return CLICK_GERMAN.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        one, many = CLICK_GERMAN_PLURAL.get((singular, plural), (singular, plural))
        return one if n == 1 else many


def install_german() -> None:
    """Make click word its own texts in German (idempotent; called when the CLI is built)."""
    import importlib

    translations = ClickGerman()
    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = translations.gettext
        if hasattr(module, "ngettext"):
            module.ngettext = translations.ngettext


YES = ("j", "ja", "y", "yes")
NO = ("", "n", "nein", "no")


def confirm(question: str) -> bool:
    """Ask a Ja/Nein question; Enter means no. Without an answer (end of input) click aborts."""
    while True:
        answer = click.prompt(f"{question} [j/N]", default="", show_default=False, prompt_suffix=" ")
        answer = answer.strip().lower()
        if answer in YES or answer in NO:
            return answer in YES
        click.echo("Bitte mit j (ja) oder n (nein) antworten.", err=True)


class RecordRef(click.ParamType):
    """A record given by its number (``K10001``) or its id (``17``), as the user sees it.

    The shape is checked here; the command looks the record up inside its own transaction.
    """

    def __init__(self, prefix: str, noun: str) -> None:
        self.prefix = prefix.upper()
        self.noun = noun
        self.name = noun

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if text.isdigit() or (text[:1].upper() == self.prefix and text[1:].isdigit()):
            return text.upper()
        self.fail(f"{quoted(text)} ist keine {self.noun} (z. B. {self.prefix}10001) und keine ID.", param, ctx)


#: Host customers on the command line: ``K10001`` or the id.
CUSTOMER = RecordRef("K", "Kundennummer")
