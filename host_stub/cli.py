"""``host-stub``: the host's command line. Modules add subcommands through ``cli_commands``.

Commands receive the Host through ``@click.pass_obj``; it is created (and the database
connected) on first use, so ``--help`` works without a database. Every command acts as a user:
``--user LOGIN``, or the installation's first active administrator (local use: whoever may run
commands on the database may do everything anyway).
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from sqlalchemy.exc import SQLAlchemyError

from host_stub.api import MITARBEITER, ROLES
from host_stub.cli_support import CUSTOMER, confirm, install_german
from host_stub.errors import HostError
from host_stub.german import plural, quoted
from host_stub.plugins import PluginRegistry

if TYPE_CHECKING:  # pragma: no cover
    from argon2 import PasswordHasher


class LazyHost:
    """Stands in for the Host until a command touches it; then connects to the database."""

    def __init__(self, database_url: str | None, registry: PluginRegistry, license_public_key: str | None,
                 password_hasher: PasswordHasher | None, user_login: str | None) -> None:
        self._database_url = database_url
        self._registry = registry
        self._license_public_key = license_public_key
        self._password_hasher = password_hasher
        self._user_login = user_login
        self._acting = ExitStack()
        self._host = None

    @property
    def registry(self) -> PluginRegistry:
        return self._registry

    @property
    def database_url(self) -> str:
        """The URL the Host will connect to, known without connecting (``restore`` checks its archive first)."""
        from host_stub.db import default_database_url

        return self._database_url or default_database_url()

    def release(self) -> None:
        """Stop acting as the user and close the database connections, if any were opened."""
        self._acting.close()
        if self._host is not None:
            self._host.close()

    def __getattr__(self, name: str) -> Any:
        if self._host is None:
            from host_stub.host import Host

            self._host = Host(self._database_url, registry=self._registry,
                              license_public_key=self._license_public_key, password_hasher=self._password_hasher)
            self._acting.enter_context(self._host.users.acting_as(self._user_login))
            if self._user_login is not None:
                self._host.users.current()  # a login that does not exist fails now, not at the first check
        return getattr(self._host, name)


class HostGroup(click.Group):
    """The root group: turns HostError and the database errors input can cause into a clear message and exit
    code 1 (no traceback); refuses arguments that are not valid text before any command runs."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        for arg in args:
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError:  # bytes that are not UTF-8 reach Python as surrogates
                shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                raise click.UsageError(
                    f"Das Argument „{shown}“ ist kein gültiger Text (kein UTF-8). Bitte geben Sie es in UTF-8 ein "
                    "(Einstellung des Terminals, z. B. LANG=de_DE.UTF-8).", ctx) from None
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        from host_stub.db import database_error

        try:
            return super().invoke(ctx)
        except HostError as exc:
            raise click.ClickException(str(exc)) from None
        except (SQLAlchemyError, OverflowError) as exc:
            error = database_error(exc)
            if error is None:
                raise
            raise click.ClickException(str(error)) from None


def _registry() -> PluginRegistry:
    registry = PluginRegistry()
    registry.discover()
    for problem in registry.problems:
        click.echo(f"Warnung: Plugin übersprungen: {problem.source}: {problem.message}", err=True)
    return registry


def build_cli(registry: PluginRegistry | None = None, *, license_public_key: str | None = None,
              password_hasher: PasswordHasher | None = None) -> click.Group:
    """The ``host-stub`` group with the host's commands and every loaded module's.

    ``license_public_key`` and ``password_hasher`` replace the built-in vendor key and password hash
    parameters for tests; users have no way to set them.
    """
    install_german()
    registry = registry or _registry()

    @click.group(cls=HostGroup, context_settings={"help_option_names": ["-h", "--help"]})
    @click.option("--db", "database_url", envvar="HOST_STUB_DATABASE_URL",
                  help="Datenbank-URL (Standard: SQLite-Datei host-stub.sqlite im aktuellen Verzeichnis).")
    @click.option("--user", "user_login", metavar="LOGIN",
                  help="Als dieser Benutzer handeln (Standard: der erste aktive Administrator).")
    @click.pass_context
    def cli(ctx: click.Context, database_url: str | None, user_login: str | None) -> None:
        """Host-Anwendung mit Zusatzmodulen (Stub für Entwicklung und Tests)."""
        ctx.obj = LazyHost(database_url, registry, license_public_key, password_hasher, user_login)
        ctx.call_on_close(ctx.obj.release)

    for command in (init, db, serve, demo, backup, restore, plugins, license_group, customers, masterdata, users,
                    jobs):
        cli.add_command(command)
    for owner, command in registry.cli_commands():
        if command.name in cli.commands:
            click.echo(f"Warnung: Befehl {command.name!r} von {owner} ist schon vergeben.", err=True)
            continue
        cli.add_command(command)
    return cli


def main() -> None:
    build_cli()(prog_name="host-stub")


def _json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


# -- database ----------------------------------------------------------------------------------


@click.command()
@click.option("--admin-login", default="admin", show_default=True, help="Login des ersten Administrators.")
@click.option("--admin-name", default="Administrator", show_default=True, help="Name des ersten Administrators.")
@click.option("--admin-password", help="Sein Passwort (sonst wird gefragt, ohne Terminal eines erzeugt und gezeigt).")
@click.pass_obj
def init(host, admin_login: str, admin_name: str, admin_password: str | None) -> None:
    """Datenbank anlegen oder auf den neuesten Stand bringen; legt den ersten Administrator an."""
    from host_stub.api import ADMINISTRATOR

    migrated = host.upgrade()
    click.echo(f"Datenbank {host.engine.url.render_as_string(hide_password=True)} bereit ({', '.join(migrated)}).")
    with host.session() as session:
        if host.users.first_administrator(session) is not None:
            return
        password, shown = _new_password(admin_password, f"Passwort für den ersten Administrator ({admin_login})")
        user = host.users.create(session, login=admin_login, name=admin_name, role=ADMINISTRATOR, password=password)
    click.echo(f"Erster Administrator angelegt: Login {user.login}"
               + (f", Passwort {password} (bitte nach der ersten Anmeldung ändern)." if shown else "."))


def _at_terminal() -> bool:
    return sys.stdin.isatty()


def _new_password(given: str | None, question: str) -> tuple[str, bool]:
    """``(password, whether to show it)``: the given one, else asked for at a terminal, else a generated one."""
    from host_stub.users import generate_password

    if given is not None:
        return given, False
    if _at_terminal():
        return click.prompt(question, hide_input=True, confirmation_prompt=True), False
    return generate_password(), True


@click.group()
def db() -> None:
    """Datenbank: Migrationen."""


@db.command("upgrade")
@click.option("--module", "owner", help="Nur dieses Modul (oder 'host') migrieren.")
@click.option("--revision", default="head", show_default=True, help="Zielrevision (mit --module).")
@click.pass_obj
def db_upgrade(host, owner: str | None, revision: str) -> None:
    """Host und alle aktivierten Module migrieren."""
    if revision != "head" and owner is None:
        raise click.UsageError("--revision braucht --module.")
    for migrated in host.upgrade(owner, revision):
        click.echo(f"{migrated}: aktuell")


@db.command("revision")
@click.argument("owner")
@click.option("-m", "--message", required=True, help="Kurzbeschreibung der Änderung.")
@click.pass_obj
def db_revision(host, owner: str, message: str) -> None:
    """Neue Revision eines Moduls aus dem Unterschied Modelle/Datenbank erzeugen (für Entwickler)."""
    from host_stub import migrate

    with host.engine.begin() as connection:
        migrate.new_revision(connection, host.schema(owner), message)


# -- web ---------------------------------------------------------------------------------------

#: Worker threads of the production server: requests served at the same time (more wait in its queue).
#: At most the database pool's 15 connections (SQLAlchemy's default), so no request waits for one.
DEFAULT_THREADS = 8
MAX_THREADS = 15


@click.command()
@click.option("--host", "bind", default="127.0.0.1", show_default=True,
              help="Adresse, an die der Server sich bindet; außer 127.0.0.1/localhost nur mit --allow-remote.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--allow-remote", is_flag=True,
              help="Eine Adresse erlauben, die andere Rechner erreichen (mit Anmeldung, aber unverschlüsseltes HTTP).")
@click.option("--trusted-host", "trusted_hosts", multiple=True, metavar="NAME",
              help="Weiterer Hostname, unter dem die Weboberfläche aufgerufen wird (mehrfach möglich).")
@click.option("--threads", type=click.IntRange(1, MAX_THREADS), default=DEFAULT_THREADS,
              show_default=True, help="Anfragen, die der Server gleichzeitig bearbeitet.")
@click.option("--debug", is_flag=True,
              help="Entwicklungsserver (Werkzeug) statt des Produktionsservers: zeigt jede Anfrage und jeden "
                   "Fehler mit Traceback in der Konsole. Nicht für den Betrieb.")
@click.pass_obj
def serve(host, bind: str, port: int, allow_remote: bool, trusted_hosts: tuple[str, ...], threads: int,
          debug: bool) -> None:
    """Die Weboberfläche starten (Produktionsserver waitress)."""
    from host_stub.web import create_app, is_loopback, run, served_host_names

    remote = not is_loopback(bind)
    if remote and not allow_remote:
        raise click.UsageError(
            f"Die Adresse {bind} ist von anderen Rechnern erreichbar. Die Weboberfläche verlangt eine Anmeldung, "
            "spricht aber unverschlüsseltes HTTP: Passwörter und Daten gehen im Klartext durchs Netz. Nur auf "
            "diesem Rechner: --host 127.0.0.1. Im vertrauenswürdigen Büronetz (oder hinter einem HTTPS-Proxy): "
            "--allow-remote angeben.")
    host.enabled_modules()  # fail early with a clear message when the database is not set up
    app = create_app(host, trusted_hosts=[*served_host_names(bind), *trusted_hosts])
    if remote:
        click.echo("Warnung: Die Weboberfläche ist von anderen Rechnern erreichbar. Sie verlangt eine Anmeldung, "
                   "spricht aber unverschlüsseltes HTTP: Passwörter und Daten gehen im Klartext durchs Netz. Nur in "
                   "einem vertrauenswürdigen Netz oder hinter einem HTTPS-Proxy betreiben.", err=True)
    shown = f"[{bind}]" if ":" in bind else bind
    server = "Entwicklungsserver, nur zum Entwickeln" if debug else plural(threads, "Thread", "Threads")
    click.echo(f"Weboberfläche: http://{shown}:{port}/ ({server})")
    from host_stub.jobs import run_in_background

    scheduler = run_in_background(host)  # the periodic jobs, at their interval, while the server runs
    try:
        run(app, bind, port, threads=threads, debug=debug)
    finally:
        scheduler.stop()


@click.command()
@click.option("--serve/--no-serve", "then_serve", default=True, help="Danach die Weboberfläche starten.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.pass_obj
def demo(host, then_serve: bool, port: int) -> None:
    """Datenbank mit Beispieldaten füllen und die Weboberfläche starten."""
    from host_stub.demo import demo_user, fill_demo

    host.upgrade()
    for line in [*fill_demo(host), *demo_user(host)]:
        click.echo(line)
    if then_serve:
        from host_stub.web import create_app, run

        click.echo(f"Weboberfläche: http://127.0.0.1:{port}/")
        run(create_app(host), "127.0.0.1", port, threads=DEFAULT_THREADS)


# -- backup ------------------------------------------------------------------------------------


@click.command()
@click.argument("archive", metavar="DATEI", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def backup(host, archive: Path) -> None:
    """Datensicherung: die ganze Datenbank (mit Dokumenten und Dateien) in eine ZIP-Datei schreiben; geht
    auch, während die Weboberfläche läuft."""
    from host_stub.backup import KIND_NAMES, create_backup
    from host_stub.files import size_text

    manifest = create_backup(host, archive)
    click.echo(f"Datensicherung {archive} geschrieben ({size_text(archive.stat().st_size)}, "
               f"{KIND_NAMES[manifest['database']]}, Stand {manifest['created_at'].replace('T', ' ')} UTC).")


@click.command()
@click.argument("archive", metavar="DATEI", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def restore(host, archive: Path) -> None:
    """Eine Datensicherung in eine leere Datenbank zurückspielen (nach Prüfung auf Vollständigkeit)."""
    from host_stub.backup import restore as restore_archive

    restored = restore_archive(archive, host.database_url, host.registry)
    click.echo(f"Datensicherung vom {restored.manifest['created_at'].replace('T', ' ')} UTC zurückgespielt.")
    if restored.outdated:
        click.echo(f"Sie stammt von einer älteren Version ({', '.join(restored.outdated)}); bitte jetzt "
                   "'host-stub db upgrade' ausführen.")


# -- plugins -----------------------------------------------------------------------------------


@click.group()
def plugins() -> None:
    """Module anzeigen, aktivieren und deaktivieren."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_obj
def plugins_list(host, as_json: bool) -> None:
    """Installierte Module mit Version, Status, Lizenz und Preis; übersprungene mit dem Grund."""
    with host.session() as session:
        rows = host.module_overview(session)
    skipped = host.registry.problems
    if as_json:
        _json([row | {"problem": None} for row in rows]
              + [{"id": p.module_id, "source": p.source, "enabled": False, "problem": p.message} for p in skipped])
        return
    if not rows and not skipped:
        click.echo("Keine Module installiert.")
    for row in rows:
        state = "aktiv" if row["enabled"] else "inaktiv"
        click.echo(f"{row['id']:<12} {row['name']:<28} {row['version']:<8} {state:<8} "
                   f"{row['license']:<8} {row['price']}")
    for problem in skipped:
        click.echo(f"{problem.module_id or '?':<12} übersprungen: {problem.source}: {problem.message}")


@plugins.command("enable")
@click.argument("module_id")
@click.pass_obj
def plugins_enable(host, module_id: str) -> None:
    """Ein Modul in dieser Datenbank aktivieren (startet beim ersten Mal den Testzeitraum)."""
    with host.session() as session:
        host.set_module_enabled(session, module_id, True)
        host.masterdata.seed(session)
        status = host.licensing.status(session, module_id)
    click.echo(f"Modul {module_id} aktiviert: {status.message}")


@plugins.command("disable")
@click.argument("module_id")
@click.pass_obj
def plugins_disable(host, module_id: str) -> None:
    """Ein Modul deaktivieren; seine Daten bleiben erhalten."""
    with host.session() as session:
        host.set_module_enabled(session, module_id, False)
    click.echo(f"Modul {module_id} deaktiviert; seine Daten bleiben erhalten.")


# -- licences ----------------------------------------------------------------------------------


@click.group("license")
def license_group() -> None:
    """Lizenzen einspielen und anzeigen."""


@license_group.command("install")
@click.argument("license_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--module", "module_id", help="Nur annehmen, wenn die Lizenz für dieses Modul gilt.")
@click.pass_obj
def license_install(host, license_file: Path, module_id: str | None) -> None:
    """Eine Lizenzdatei prüfen und einspielen."""
    from host_stub.licensing import MAX_FILE_BYTES

    with license_file.open("rb") as source:
        data = source.read(MAX_FILE_BYTES + 1)
    with host.session() as session:
        terms = host.licensing.install(session, data, module_id)
        status = host.licensing.status(session, terms.module_id)
    click.echo(f"Lizenz für {terms.module_id} ({terms.licensee}) eingespielt: {status.message}")


@license_group.command("show")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def license_show(host, as_json: bool) -> None:
    """Installations-ID und Lizenzstatus jedes Moduls."""
    with host.session() as session:
        installation_id = host.licensing.installation_id(session)
        rows = [
            {"id": r["id"], "license": r["license"], "message": r["license_message"], "price": r["price"]}
            for r in host.module_overview(session)
        ]
    if as_json:
        _json({"installation_id": installation_id, "modules": rows})
        return
    click.echo(f"Installations-ID: {installation_id or 'noch keine (host-stub init ausführen)'}")
    for row in rows:
        click.echo(f"{row['id']}: {row['license']} – {row['message']}")


# -- customers ---------------------------------------------------------------------------------

CUSTOMER_OPTIONS = ("company", "first_name", "last_name", "street", "house_number", "postcode", "city",
                    "country", "email", "phone")


@click.group()
def customers() -> None:
    """Kunden anzeigen, anlegen und löschen."""


@customers.command("list")
@click.option("--search", default="")
@click.option("--sort", default="number", show_default=True)
@click.option("--page", default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def customers_list(host, search: str, sort: str, page: int, as_json: bool) -> None:
    """Kundenliste (50 je Seite)."""
    from host_stub.customers import EDITABLE_FIELDS

    with host.session() as session:
        rows, total = host.customers.page(session, sort=sort, page=page, search=search)
        data = [{"id": c.id, "number": c.number, **{f: getattr(c, f) for f in EDITABLE_FIELDS}} for c in rows]
    if as_json:
        _json({"total": total, "customers": data})
        return
    for c in data:
        name = c["company"] or f"{c['first_name']} {c['last_name']}".strip()
        click.echo(f"{c['number']:<8} {name:<40} {c['postcode']} {c['city']}")
    click.echo(plural(total, "Kunde", "Kunden"))


@customers.command("add")
@click.option("--company", default="")
@click.option("--first-name", default="")
@click.option("--last-name", default="")
@click.option("--street", default="")
@click.option("--house-number", default="")
@click.option("--postcode", default="")
@click.option("--city", default="")
@click.option("--country", default="DE")
@click.option("--email", default="")
@click.option("--phone", default="")
@click.pass_obj
def customers_add(host, **fields: str) -> None:
    """Einen Kunden anlegen."""
    with host.session() as session:
        customer = host.customers.create(session, is_business=bool(fields["company"]), **fields)
    click.echo(f"Kunde {customer.number} angelegt.")


@customers.command("delete")
@click.argument("customer_ref", metavar="KUNDE", type=CUSTOMER)
@click.option("--yes", is_flag=True, help="Ohne Rückfrage löschen.")
@click.pass_obj
def customers_delete(host, customer_ref: str, yes: bool) -> None:
    """Einen Kunden löschen (Kundennummer oder ID; Module können widersprechen)."""
    with host.session() as session:
        customer = host.customers.resolve(session, customer_ref)
        name = quoted(customer.company or f"{customer.first_name} {customer.last_name}".strip())
        if not yes and not confirm(f"Kunde {name} ({customer.number}) löschen?"):
            click.echo("Abgebrochen.")
            return
        host.customers.delete(session, customer.id)
        number = customer.number
    click.echo(f"Kunde {number} gelöscht.")


# -- master data -------------------------------------------------------------------------------


@click.group()
def masterdata() -> None:
    """Kleinstammdaten (Auswahllisten) anzeigen und pflegen."""


@masterdata.command("list")
@click.argument("kind", required=False)
@click.pass_obj
def masterdata_list(host, kind: str | None) -> None:
    """Die Arten, oder die Einträge einer Art."""
    with host.session() as session:
        if kind is None:
            for key, (owner, registered) in sorted(host.masterdata_kinds(session).items()):
                click.echo(f"{key:<24} {registered.label} ({owner})")
            return
        for label in host.masterdata.labels(session, kind):
            click.echo(label)


@masterdata.command("add")
@click.argument("kind")
@click.argument("label")
@click.pass_obj
def masterdata_add(host, kind: str, label: str) -> None:
    """Einen Eintrag hinzufügen."""
    with host.session() as session:
        host.masterdata.add(session, kind, label)
    click.echo(f"„{label}“ zu {kind} hinzugefügt.")


@masterdata.command("remove")
@click.argument("kind")
@click.argument("label")
@click.pass_obj
def masterdata_remove(host, kind: str, label: str) -> None:
    """Einen Eintrag ausblenden (bestehende Datensätze behalten ihn)."""
    with host.session() as session:
        host.masterdata.deactivate(session, kind, label)
    click.echo(f"„{label}“ in {kind} ausgeblendet.")



# -- users -------------------------------------------------------------------------------------


@click.group()
def users() -> None:
    """Benutzer anzeigen, anlegen, Passwörter setzen, deaktivieren (nur Administratoren ändern)."""


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_obj
def users_list(host, as_json: bool) -> None:
    """Alle Benutzer mit Login, Rolle und Status."""
    with host.session() as session:
        rows = [{"id": u.id, "login": u.login, "name": u.name, "email": u.email, "role": u.role, "active": u.active}
                for u in host.users.list(session)]
    if as_json:
        _json(rows)
        return
    for row in rows:
        state = "aktiv" if row["active"] else "deaktiviert"
        click.echo(f"{row['login']:<20} {row['name']:<30} {row['role']:<14} {state}")
    click.echo(plural(len(rows), "Benutzer", "Benutzer"))


@users.command("add")
@click.argument("login")
@click.option("--name", required=True, help="Vor- und Nachname, wie er in der Historie erscheint.")
@click.option("--email", default="")
@click.option("--role", type=click.Choice(ROLES), default=MITARBEITER, show_default=True)
@click.option("--password", help="Das Passwort (sonst wird gefragt, ohne Terminal eines erzeugt und gezeigt).")
@click.pass_obj
def users_add(host, login: str, name: str, email: str, role: str, password: str | None) -> None:
    """Einen Benutzer anlegen."""
    password, shown = _new_password(password, f"Passwort für {login}")
    with host.session() as session:
        user = host.users.create(session, login=login, name=name, email=email, role=role, password=password)
    click.echo(f"Benutzer {user.login} ({user.role}) angelegt" + (f", Passwort {password}." if shown else "."))


@users.command("set-password")
@click.argument("login")
@click.option("--password", help="Das neue Passwort (sonst wird gefragt, ohne Terminal eines erzeugt und gezeigt).")
@click.pass_obj
def users_set_password(host, login: str, password: str | None) -> None:
    """Ein neues Passwort setzen; die Sitzungen des Benutzers enden, eine Sperre wird aufgehoben."""
    password, shown = _new_password(password, f"Neues Passwort für {login}")
    with host.session() as session:
        user = host.users.set_password(session, host.users.by_login(session, login).id, password)
    click.echo(f"Neues Passwort für {user.login} gesetzt" + (f": {password}" if shown else "."))


@users.command("deactivate")
@click.argument("login")
@click.pass_obj
def users_deactivate(host, login: str) -> None:
    """Einen Benutzer deaktivieren: er kann sich nicht mehr anmelden, seine Sitzungen enden."""
    with host.session() as session:
        user = host.users.set_active(session, host.users.by_login(session, login).id, False)
    click.echo(f"Benutzer {user.login} deaktiviert.")


@users.command("activate")
@click.argument("login")
@click.pass_obj
def users_activate(host, login: str) -> None:
    """Einen deaktivierten Benutzer wieder zulassen."""
    with host.session() as session:
        user = host.users.set_active(session, host.users.by_login(session, login).id, True)
    click.echo(f"Benutzer {user.login} aktiviert.")


# -- periodic jobs -----------------------------------------------------------------------------


@click.group()
def jobs() -> None:
    """Geplante Aufgaben der Module anzeigen und ausführen (z. B. nachts per cron)."""


@jobs.command("run")
@click.option("--all", "everything", is_flag=True, help="Alle Aufgaben jetzt ausführen, auch die nicht fälligen.")
@click.option("--force", "forced", multiple=True, metavar="NAME",
              help="Nur diese Aufgabe jetzt ausführen, z. B. --force notes.cleanup (mehrfach möglich).")
@click.pass_obj
def jobs_run(host, everything: bool, forced: tuple[str, ...]) -> None:
    """Die fälligen geplanten Aufgaben ausführen; Exit-Code 1, wenn eine fehlschlug."""
    outcomes = host.jobs.run_due(force=forced, everything=everything)
    for outcome in outcomes:
        state = ("fehlgeschlagen" if not outcome.ok else "erledigt") if outcome.ran else "übersprungen"
        click.echo(f"{outcome.key} ({outcome.label}): {state} – {outcome.text}")
    failed = sum(1 for outcome in outcomes if not outcome.ok)
    if failed:
        raise click.ClickException(f"{plural(failed, 'geplante Aufgabe', 'geplante Aufgaben')} fehlgeschlagen.")
    if not outcomes:
        click.echo("Keine geplanten Aufgaben.")


@jobs.command("list")
@click.option("--json", "as_json", is_flag=True, help="Als JSON ausgeben.")
@click.pass_obj
def jobs_list(host, as_json: bool) -> None:
    """Geplante Aufgaben mit Intervall, letztem Lauf (Dauer, Ergebnis) und nächster Fälligkeit."""
    with host.session() as session:
        rows = host.jobs.overview(session)
    if as_json:
        _json([{"name": r.key, "label": r.label, "interval_seconds": int(r.interval.total_seconds()),
                "blocked": r.blocked, "next_due": r.next_due, "running_since": r.running_since,
                "last_started_at": r.last_started_at, "last_duration_ms": r.last_duration_ms,
                "last_ok": r.last_ok, "last_result": r.last_result} for r in rows])
        return
    if not rows:
        click.echo("Keine geplanten Aufgaben.")
    for row in rows:
        click.echo(f"{row.key} ({row.label}), {row.interval_text}\n  letzter Lauf: {row.last_run_text}\n"
                   f"  nächster Lauf: {row.next_due_text}")
