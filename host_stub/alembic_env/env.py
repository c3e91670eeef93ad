"""The one Alembic environment shared by the host and every module.

Each schema (host or module) brings only its ``versions/`` folder; the host passes the
connection, the schema's MetaData and its own version table through ``config.attributes``.
"""

from alembic import context

config = context.config
metadata = config.attributes["target_metadata"]
own_tables = set(metadata.tables)


def include_name(name, type_, _parent_names):
    """Compare only this schema's tables: the host's and other modules' are not ours."""
    if type_ == "table":
        return name in own_tables
    return True


connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=config.attributes["version_table"],
    include_name=include_name,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
