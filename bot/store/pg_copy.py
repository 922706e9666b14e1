"""PostgreSQL's bulk path: COPY a batch into a staging table, then one INSERT … SELECT … ON
CONFLICT merges it into the store, as every other write merges (bot/store/merge.py).

COPY streams rows in PostgreSQL's own format, without a statement per row: an import's
thousands of rows per batch cost one round trip, not one each (bench/import_orders.py).
"""

from sqlalchemy import Column, Connection, MetaData, Table, select
from sqlalchemy.dialects import postgresql

from bot.store.merge import merged_values

# Batches smaller than this are written by executemany: a staging table costs more than it
# saves for a confirmation from Slack or a page of a sync.
COPY_FROM_ROWS = 500


class CopyUpsert:
    """The statements that stage rows of `columns` (in the rows' order) and merge them."""

    def __init__(self, table: Table, columns: list[str], key: tuple[str, ...],
                 extra: tuple[str, ...]) -> None:
        stage = f"sellerbot_stage_{table.name}"
        # Dropped at the end of the transaction: nothing is left behind, whatever happens.
        self.create = (f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} "
                       f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DROP")
        self.copy = f"COPY {stage} ({', '.join(columns)}) FROM STDIN"
        self.empty = f"TRUNCATE {stage}"
        staged = Table(stage, MetaData(), *(Column(name, table.c[name].type) for name in columns))
        insert = postgresql.insert(table).from_select(columns, select(staged))
        merged = merged_values(table, [c for c in columns if c not in key], extra,
                               insert.excluded)
        statement = insert.on_conflict_do_update(index_elements=list(key), set_=merged)
        self.merge = str(statement.compile(dialect=postgresql.dialect()))
        self.key_at = [columns.index(name) for name in key]

    def write(self, conn: Connection, rows: list[tuple]) -> None:
        """Merge `rows` into the table, in the order given."""
        driver = conn.connection.driver_connection
        with driver.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(self.create)
            for layer in self._layers(rows):
                with cursor.copy(self.copy) as copy:
                    for row in layer:
                        copy.write_row(row)
                cursor.execute(self.merge)
                cursor.execute(self.empty)

    def _layers(self, rows: list[tuple]) -> list[list[tuple]]:
        """`rows` in layers without a key twice: each key's first row, then its second, and
        so on. One INSERT cannot update a row twice, and the rows of one key must merge one
        after the other, as executemany merges them; rows of other keys do not touch it."""
        layers: list[list[tuple]] = []
        seen: dict[tuple, int] = {}
        for row in rows:
            key = tuple(row[i] for i in self.key_at)
            times = seen.get(key, 0)
            seen[key] = times + 1
            if times == len(layers):
                layers.append([])
            layers[times].append(row)
        return layers
