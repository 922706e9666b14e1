"""How a record written again merges with the row the store holds: the SET of every upsert.

A record with a newer last update wins the fields it states; an older one, or one that does
not say when it is from, only fills fields still empty; a field a source does not state (None)
never erases what the store knows (bot/store/writer.py). A return request, which states no last
update, is as new as its status is far along.
"""

from typing import Any

from sqlalchemy import Table, and_, case, func, literal_column, or_

from bot.domain.records import OPEN_STATUSES, Channel

# Columns a write sets on the rows it adds and never on rows the store has: when sellerbot
# first stored an order (bot/store/writer.py).
INSERT_ONLY = frozenset({"first_seen"})


# A return request moves one way: asked (Pending), authorised (Approved), then closed
# (Completed or Cancelled; reports.md §5). Returns reports state no last-update time, so the
# status tells which of two reports is the newer; a status sellerbot does not know is taken
# for a middle step.
_RETURN_STEPS = {"pending": 0, "approved": 1, "completed": 2, "cancelled": 2, "canceled": 2}


def _return_step(status: Any) -> Any:
    # SQL literals, as below: the statement's parameters are the record's fields only.
    return case(*((func.lower(status) == literal_column(f"'{name}'"), literal_column(str(step)))
                  for name, step in _RETURN_STEPS.items()), else_=literal_column("1"))


def _newer(table: Table, new: Any) -> Any:
    """When the incoming row is at least as new as the stored one (it wins what it states,
    else it only fills gaps); None for a table whose rows tell no age."""
    if "last_update" in table.c:
        # Newer wins. A record that does not say when it is from only fills gaps, unless
        # the stored row does not say either: an old file without last-update times must
        # not turn a Shipped order back into an Unshipped one.
        return or_(
            and_(new.last_update.is_(None), table.c.last_update.is_(None)),
            and_(new.last_update.is_not(None),
                 or_(table.c.last_update.is_(None), new.last_update >= table.c.last_update)),
        )
    if "amazon_rma_id" in table.c:
        # An older returns report read after a newer one must not reopen a completed return.
        return _return_step(func.coalesce(new.status, table.c.status)) >= _return_step(
            table.c.status)
    return None


def merged_values(table: Table, updated: list[str], extra: tuple[str, ...], new: Any
                  ) -> dict[str, Any]:
    """The value each of `updated` takes when a row of `table` comes again; `new` is the
    incoming row (an INSERT's `excluded`), `extra` the write's own columns (is_demo).
    Columns not in `updated` are not stated by the write and keep their value."""
    stated = [name for name in updated if name not in extra and name not in INSERT_ONLY]
    newer = _newer(table, new)
    if newer is not None:
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
