"""Alembic environment shared by the services: each service migrates only its own schema and keeps
its own version table there, so the services' histories never interfere."""
from alembic import context
from sqlalchemy import MetaData, engine_from_config, pool, text

from services.common.settings import get_settings


def run(schema: str, metadata: MetaData) -> None:
    config = context.config
    config.set_main_option("sqlalchemy.url", get_settings().database_url.replace("%", "%%"))

    def include_object(obj, name, type_, reflected, compare_to):  # noqa: ANN001
        table_schema = getattr(obj, "schema", None) if type_ == "table" else getattr(obj.table, "schema", None)
        return table_schema == schema

    options = dict(target_metadata=metadata, include_schemas=True, include_object=include_object,
                   version_table_schema=schema, compare_type=True)
    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        connection.commit()
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
