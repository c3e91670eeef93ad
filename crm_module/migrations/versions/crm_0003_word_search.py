"""Word search: an index of the words in each party's names, its contact persons and its city.

``crm_party_search`` holds one row per party, kept current by triggers on ``crm_parties`` and
``crm_contacts``, so every write (the services, conversion, import, merge, bulk SQL) keeps it
right without Python code. Umlauts are folded the German way (ä -> ae, ß -> ss) like
``normalise.fold`` folds the words searched for.

- SQLite: the folded texts (``names``, ``city``) and an FTS5 table over them (external content,
  kept current by triggers on ``crm_party_search``, prefix indexes for 2 and 3 characters).
- PostgreSQL: a ``tsvector`` (``simple`` configuration; names weight A, city weight B) with a GIN
  index. Built-in full text search needs no extension (an extension would live in one schema).

Revision ID: crm_0003
Revises: crm_0001
Create Date: 2026-12-01
"""

from alembic import op

revision = "crm_0003"
down_revision = "crm_0002"
branch_labels = None
depends_on = None

_UMLAUTS = (("ä", "ae"), ("Ä", "ae"), ("ö", "oe"), ("Ö", "oe"), ("ü", "ue"), ("Ü", "ue"), ("ß", "ss"),
            ("ẞ", "ss"))
#: Further accented letters PostgreSQL folds (SQLite's tokenizer removes diacritics itself).
_ACCENTS = ("àáâãåāăąçćčďèéêëēėęěìíîïīįłñńňòóôõøōőřśšşťùúûūůűųýÿžźż",
            "aaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooorsssstuuuuuuuyyzzz")


def _fold(expression: str, dialect: str) -> str:
    for umlaut, letters in _UMLAUTS:
        expression = f"replace({expression}, '{umlaut}', '{letters}')"
    if dialect == "postgresql":
        expression = f"translate(lower({expression}), '{_ACCENTS[0]}', '{_ACCENTS[1]}')"
    return expression


def _texts(party: str, dialect: str) -> tuple[str, str]:
    """SQL of the folded names (company, person, contact persons) and city of the party ``party``."""
    concat = "string_agg" if dialect == "postgresql" else "group_concat"
    contacts = (f"coalesce((SELECT {concat}(c.first_name || ' ' || c.last_name, ' ') FROM crm_contacts c "
                f"WHERE c.party_id = {party}.id), '')")
    names = f"{party}.company || ' ' || {party}.first_name || ' ' || {party}.last_name || ' ' || {contacts}"
    return _fold(names, dialect), _fold(f"{party}.city", dialect)


_NAME_CHANGED = ("old.company IS NOT new.company OR old.first_name IS NOT new.first_name "
                 "OR old.last_name IS NOT new.last_name OR old.city IS NOT new.city")


def _sqlite_upgrade() -> None:
    names, city = _texts("p", "sqlite")
    op.execute("CREATE TABLE crm_party_search (party_id INTEGER PRIMARY KEY "
               "REFERENCES crm_parties (id) ON DELETE CASCADE, names TEXT NOT NULL, city TEXT NOT NULL)")
    op.execute("CREATE VIRTUAL TABLE crm_party_search_fts USING fts5(names, city, content='crm_party_search', "
               "content_rowid='party_id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')")
    op.execute(f"INSERT INTO crm_party_search (party_id, names, city) SELECT p.id, {names}, {city} FROM crm_parties p")
    op.execute("INSERT INTO crm_party_search_fts (crm_party_search_fts) VALUES ('rebuild')")
    # The FTS index follows crm_party_search (the pattern of SQLite's FTS5 documentation).
    remove = ("INSERT INTO crm_party_search_fts (crm_party_search_fts, rowid, names, city) "
              "VALUES ('delete', old.party_id, old.names, old.city);")
    add = "INSERT INTO crm_party_search_fts (rowid, names, city) VALUES (new.party_id, new.names, new.city);"
    op.execute(f"CREATE TRIGGER crm_party_search_ai AFTER INSERT ON crm_party_search BEGIN {add} END")
    op.execute(f"CREATE TRIGGER crm_party_search_ad AFTER DELETE ON crm_party_search BEGIN {remove} END")
    op.execute(f"CREATE TRIGGER crm_party_search_au AFTER UPDATE ON crm_party_search BEGIN {remove} {add} END")
    # crm_party_search follows the parties and their contact persons.
    refresh = ("UPDATE crm_party_search SET (names, city) = "
               f"(SELECT {names}, {city} FROM crm_parties p WHERE p.id = crm_party_search.party_id) "
               "WHERE party_id = {party} AND EXISTS (SELECT 1 FROM crm_parties WHERE id = {party});")
    op.execute("CREATE TRIGGER crm_parties_search_ai AFTER INSERT ON crm_parties BEGIN "
               "INSERT INTO crm_party_search (party_id, names, city) "
               f"SELECT p.id, {names}, {city} FROM crm_parties p WHERE p.id = new.id; END")
    op.execute(f"CREATE TRIGGER crm_parties_search_au AFTER UPDATE ON crm_parties WHEN {_NAME_CHANGED} BEGIN "
               f"{refresh.format(party='new.id')} END")
    op.execute("CREATE TRIGGER crm_contacts_search_ai AFTER INSERT ON crm_contacts BEGIN "
               f"{refresh.format(party='new.party_id')} END")
    op.execute("CREATE TRIGGER crm_contacts_search_ad AFTER DELETE ON crm_contacts BEGIN "
               f"{refresh.format(party='old.party_id')} END")
    op.execute("CREATE TRIGGER crm_contacts_search_au AFTER UPDATE ON crm_contacts BEGIN "
               f"{refresh.format(party='old.party_id')} {refresh.format(party='new.party_id')} END")
    op.execute("ANALYZE")


def _postgresql_upgrade() -> None:
    names, city = _texts("p", "postgresql")
    document = f"setweight(to_tsvector('simple', {names}), 'A') || setweight(to_tsvector('simple', {city}), 'B')"
    op.execute("CREATE TABLE crm_party_search (party_id integer PRIMARY KEY "
               "REFERENCES crm_parties (id) ON DELETE CASCADE, document tsvector NOT NULL)")
    op.execute(f"INSERT INTO crm_party_search (party_id, document) SELECT p.id, {document} FROM crm_parties p")
    op.execute("CREATE INDEX ix_crm_party_search_document ON crm_party_search USING gin (document)")
    op.execute(f"""
        CREATE FUNCTION crm_party_search_refresh(party integer) RETURNS void LANGUAGE sql AS $$
            INSERT INTO crm_party_search (party_id, document)
            SELECT p.id, {document} FROM crm_parties p WHERE p.id = party
            ON CONFLICT (party_id) DO UPDATE SET document = excluded.document
        $$""")
    op.execute("""
        CREATE FUNCTION crm_parties_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM crm_party_search_refresh(NEW.id);
            RETURN NULL;
        END $$""")
    op.execute("""
        CREATE FUNCTION crm_contacts_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN PERFORM crm_party_search_refresh(OLD.party_id); END IF;
            IF TG_OP <> 'DELETE' THEN PERFORM crm_party_search_refresh(NEW.party_id); END IF;
            RETURN NULL;
        END $$""")
    changed = _NAME_CHANGED.replace("IS NOT", "IS DISTINCT FROM").replace("old.", "OLD.").replace("new.", "NEW.")
    op.execute("CREATE TRIGGER crm_parties_search_insert AFTER INSERT ON crm_parties "
               "FOR EACH ROW EXECUTE FUNCTION crm_parties_search_trigger()")
    op.execute(f"CREATE TRIGGER crm_parties_search_update AFTER UPDATE ON crm_parties FOR EACH ROW "
               f"WHEN ({changed}) EXECUTE FUNCTION crm_parties_search_trigger()")
    op.execute("CREATE TRIGGER crm_contacts_search AFTER INSERT OR UPDATE OR DELETE ON crm_contacts "
               "FOR EACH ROW EXECUTE FUNCTION crm_contacts_search_trigger()")
    op.execute("ANALYZE crm_party_search")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER crm_contacts_search ON crm_contacts")
        op.execute("DROP TRIGGER crm_parties_search_update ON crm_parties")
        op.execute("DROP TRIGGER crm_parties_search_insert ON crm_parties")
        op.execute("DROP FUNCTION crm_contacts_search_trigger()")
        op.execute("DROP FUNCTION crm_parties_search_trigger()")
        op.execute("DROP FUNCTION crm_party_search_refresh(integer)")
        op.execute("DROP TABLE crm_party_search")
        return
    for trigger in ("crm_contacts_search_au", "crm_contacts_search_ad", "crm_contacts_search_ai",
                    "crm_parties_search_au", "crm_parties_search_ai"):
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE crm_party_search_fts")
    op.execute("DROP TABLE crm_party_search")
