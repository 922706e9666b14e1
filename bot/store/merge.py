"""How a record written again merges with the row the store holds: the SET of every upsert.

A record with a newer last update wins the fields it states; an older one, or one that does
not say when it is from, only fills fields still empty; a field a source does not state (None)
never erases what the store knows (bot/store/writer.py).
"""

from typing import Any

from sqlalchemy import Table, and_, case, func, literal_column, or_

from bot.domain.records import OPEN_STATUSES, Channel

# Columns a write sets on the rows it adds and never on rows the store has: when sellerbot
# first stored an order (bot/store/writer.py).
INSERT_ONLY = frozenset({"first_seen"})


def merged_values(table: Table, updated: list[str], extra: tuple[str, ...], new: Any
                  ) -> dict[str, Any]:
    """The value each of `updated` takes when a row of `table` comes again; `new` is the
    incoming row (an INSERT's `excluded`), `extra` the write's own columns (is_demo).
    Columns not in `updated` are not stated by the write and keep their value."""
    stated = [name for name in updated if name not in extra and name not in INSERT_ONLY]
    if "last_update" in table.c:
        # Newer wins. A record that does not say when it is from only fills gaps, unless
        # the stored row does not say either: an old file without last-update times must
        # not turn a Shipped order back into an Unshipped one.
        newer = or_(
            and_(new.last_update.is_(None), table.c.last_update.is_(None)),
            and_(new.last_update.is_not(None),
                 or_(table.c.last_update.is_(None), new.last_update >= table.c.last_update)),
        )
        merged: dict[str, Any] = {
            name: case(
                (newer, func.coalesce(new[name], table.c[name])),
                else_=func.coalesce(table.c[name], new[name]),
            )
            for name in stated
        }
    else:
        merged = {name: func.coalesce(new[name], table.c[name]) for name in stated}
    if "deadline" in table.c:
        # Only an open order keeps its deadline: Amazon's ship-by once known, else the
        # newest computed one; set whether the write states a deadline or not, since a new
        # status may close the order. A column the write leaves out keeps its value (the
        # incoming row holds NULL there). Written as SQL literals: the statement's parameters
        # are the record's fields only.
        def after(name: str) -> Any:
            return merged.get(name, table.c[name])

        is_open = and_(
            after("fulfillment_channel") == literal_column(f"'{Channel.MERCHANT.value}'"),
            after("status").in_([literal_column(f"'{s.value}'") for s in OPEN_STATUSES]))
        merged["deadline"] = case((is_open, func.coalesce(
            after("latest_ship_date"), new.deadline, table.c.deadline)), else_=None)
    if "is_demo" in extra:
        # Real data about a demo order makes it real.
        merged["is_demo"] = and_(table.c.is_demo, new.is_demo)
    return merged
