"""Each order's deadline is stored with it, as the domain computes it, and computed again when
the settings or the calendar that decide it change (issue 18, item 5)."""

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, text

from bot.domain.calendar import BusinessCalendar
from bot.domain.records import Channel, Order, OrderItem, OrderStatus
from bot.domain.shipping import is_open, ship_by
from bot.store import Database, queries, schema
from bot.store.writer import Writer
from bot.usecases import deadlines, digests, stamps
from bot.usecases.import_batches import BATCH_ROWS
from bot.usecases.imports import import_file
from bot.usecases.orders import View, orders_report
from tests.conftest import SAMPLES

NOW = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


def all_orders(db: Database) -> list[Order]:
    with db.begin() as conn:
        return queries.orders_of(conn, queries.select_orders())


def fresh(order: Order, seller) -> datetime | None:
    """The deadline the domain computes for `order` from `seller`'s settings, nothing stored."""
    return ship_by(order, seller.calendar, seller.timezone, seller.handling_days, seller.rules,
                   stored=False)


def test_an_imported_report_stores_each_open_orders_deadline_as_the_domain_computes_it(
        db, seller):
    import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW)
    orders = all_orders(db)
    assert len([o for o in orders if is_open(o)]) >= 5  # the sample has open orders
    assert len([o for o in orders if not is_open(o)]) >= 5  # and closed ones
    for order in orders:
        assert order.deadline == (fresh(order, seller) if is_open(order) else None), order.order_id
    # Amazon's own ship-by, from the Unshipped report, replaces the computed one.
    import_file(db, SAMPLES / "unshipped-orders.txt", seller, now=NOW)
    given = [o for o in all_orders(db) if o.latest_ship_date is not None and is_open(o)]
    assert given and all(o.deadline == o.latest_ship_date for o in given)
    # An All Orders report imported again (no ship-by in it) does not take it away.
    import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW + timedelta(hours=1))
    assert all(o.deadline == o.latest_ship_date for o in all_orders(db) if o.latest_ship_date
               and is_open(o))


def test_a_media_line_after_its_order_decides_its_deadline(db, seller):
    placed = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # a Monday in Los Angeles
    book = OrderItem("111-0000000-0000001", "BK-1", asin="0141439513", quantity_ordered=1)
    mug = OrderItem("111-0000000-0000002", "MUG-1", asin="B0BZ7T4N6W", quantity_ordered=1)
    records = []
    for line in (book, mug):
        records += [Order(line.order_id, purchase_date=placed, status=OrderStatus.UNSHIPPED,
                          fulfillment_channel=Channel.MERCHANT), line]
    slow = dataclasses.replace(seller, handling_days=5)
    stamped = [r for r in stamps.stamped(records, slow) if type(r) is Order]
    # The book ships within Amazon's 2 business days (Thanksgiving skipped), the mug in 5.
    assert [o.deadline.astimezone(seller.timezone).date() for o in stamped] == [
        date(2026, 11, 25), date(2026, 12, 1)]


@pytest.mark.parametrize("filler", [BATCH_ROWS - 1, BATCH_ROWS - 2, BATCH_ROWS + 7])
def test_an_order_whose_lines_a_batch_of_rows_splits_gets_its_deadline_from_all_of_them(
        db, seller, tmp_path, filler):
    # A report is written a batch of rows at a time: an open order whose mug line ends one
    # batch and whose book line begins the next ships in 2 business days, as a book must.
    placed = datetime(2026, 11, 23, 18, 0, tzinfo=UTC).isoformat()  # a Monday in Los Angeles
    header = ("amazon-order-id", "purchase-date", "order-status", "fulfillment-channel",
              "sales-channel", "sku", "asin", "item-status", "quantity")
    rows = ["\t".join((f"111-{n:07d}-0000001", placed, "Shipped", "Merchant", "Amazon.com",
                       f"SKU-{n}", "", "Shipped", "1")) for n in range(filler)]
    for sku, asin in (("MUG-1", "B0BZ7T4N6W"), ("BK-1", "0141439513")):
        rows.append("\t".join(("111-9999999-0000001", placed, "Unshipped", "Merchant",
                               "Amazon.com", sku, asin, "Unshipped", "1")))
    rows.append("\t".join(("111-9999999-0000002", placed, "Shipped", "Merchant", "Amazon.com",
                           "LAST", "", "Shipped", "1")))
    path = tmp_path / "all-orders.txt"
    path.write_text("\t".join(header) + "\n" + "\n".join(rows) + "\n")
    slow = dataclasses.replace(seller, handling_days=5)
    result = import_file(db, path, slow, now=NOW)
    assert (result.orders, result.items) == (filler + 2, filler + 3)
    (order,) = [o for o in all_orders(db) if o.order_id == "111-9999999-0000001"]
    assert order.deadline.astimezone(seller.timezone).date() == date(2026, 11, 25)
    assert {item.sku for item in order.items} == {"MUG-1", "BK-1"}


def test_new_handling_times_or_days_off_recompute_the_open_orders(db, seller):
    import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW)
    before = {o.order_id: o.deadline for o in all_orders(db)}
    for changed in (dataclasses.replace(seller, handling_days=4),
                    dataclasses.replace(seller, calendar=BusinessCalendar(
                        "US", non_working_days=frozenset({date(2026, 11, 27)})))):
        assert deadlines.refresh(db, changed) > 0
        assert deadlines.refresh(db, changed) == 0  # once
        for order in all_orders(db):
            if not is_open(order):
                assert order.deadline is None, order.order_id
            else:
                assert order.deadline == fresh(order, changed), order.order_id
    # Back to the first settings: the lists read what they read before.
    report = orders_report(db, seller, View.UNSHIPPED, NOW)
    assert {s.order.order_id: s.order.deadline for s in report.entries} == {
        s.order.order_id: before[s.order.order_id] for s in report.entries}


def test_the_digest_finds_what_it_did_when_every_deadline_was_computed_on_the_fly(db, seller):
    import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW)
    stored = digests.digest(db, seller, NOW)
    with db.begin() as conn:  # as an older sellerbot left the orders: no deadline stored
        conn.execute(text("UPDATE orders SET deadline = NULL"))
        conn.execute(text("DELETE FROM derived"))
    with db.begin() as conn:
        nothing_stored = queries.open_orders(conn, placed_by=NOW)
    ids = lambda standings: [s.order.order_id for s in standings]  # noqa: E731
    assert len(nothing_stored) >= len(stored.late + stored.due_today + stored.due_next)
    again = digests.digest(db, seller, NOW)
    for group in ("late", "due_today", "due_next"):
        assert ids(getattr(again, group)) == ids(getattr(stored, group)), group


def test_the_lists_read_a_range_of_the_deadline_index(tmp_path, seller):
    db = Database.open(f"sqlite:///{tmp_path / 'plan.db'}")
    import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW)
    seen = []
    event.listen(db.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *_: seen.append(statement))
    with db.begin() as conn:
        queries.open_orders(conn, placed_by=NOW, due_by=NOW)
        plan = " ".join(row[-1] for row in conn.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {seen[0]}", (NOW.timestamp(),)).all())
    assert "ix_orders_open (deadline<?)" in plan and "ix_orders_open (deadline=?)" in plan, plan
    assert "SCAN" not in plan, plan


def test_an_older_database_gets_its_deadlines_when_first_read(tmp_path, seller):
    path = tmp_path / "old.db"
    engine = Database(f"sqlite:///{path}").engine
    schema.upgrade(engine, "0008")
    placed = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    with engine.begin() as conn:
        for n, ship in enumerate((NOW, None)):
            conn.execute(text(
                "INSERT INTO orders (order_id, purchase_date, status, fulfillment_channel, "
                "latest_ship_date, is_demo) VALUES (:id, :placed, 'Unshipped', 'MFN', :ship, 0)"),
                {"id": f"111-0000000-000000{n}", "placed": placed.timestamp(),
                 "ship": ship.timestamp() if ship else None})
    Database(f"sqlite:///{path}").upgrade()  # `sellerbot db upgrade`
    db = Database.open(f"sqlite:///{path}")
    with db.begin() as conn:
        given, computed = sorted(queries.open_orders(conn, placed_by=NOW),
                                 key=lambda o: o.order_id)
    assert (given.deadline, computed.deadline) == (NOW, None)
    report = orders_report(db, seller, View.UNSHIPPED, NOW)
    assert {s.order.order_id: s.order.deadline for s in report.entries} == {
        given.order_id: NOW, computed.order_id: fresh(computed, seller)}


def test_closed_orders_keep_no_deadline_after_an_upgrade(tmp_path):
    # 0009's first form gave every merchant order with a ship-by a deadline, closed ones too.
    path = tmp_path / "old.db"
    engine = Database(f"sqlite:///{path}").engine
    schema.upgrade(engine, "0012")
    with engine.begin() as conn:
        for n, status in enumerate(("Unshipped", "Shipped", None)):
            conn.execute(text(
                "INSERT INTO orders (order_id, status, fulfillment_channel, latest_ship_date, "
                "deadline, is_demo) VALUES (:id, :status, 'MFN', :ship, :ship, 0)"),
                {"id": f"111-0000000-000000{n}", "status": status, "ship": NOW.timestamp()})
    Database(f"sqlite:///{path}").upgrade()
    with engine.begin() as conn:
        kept = dict(conn.execute(text("SELECT order_id, deadline FROM orders")).all())
    assert kept == {"111-0000000-0000000": NOW.timestamp(), "111-0000000-0000001": None,
                    "111-0000000-0000002": None}


def test_writing_without_a_deadline_keeps_the_stored_one_until_the_order_closes(db, seller):
    import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW)
    order = next(o for o in all_orders(db) if is_open(o) and o.deadline is not None)
    for status, kept in ((OrderStatus.PARTIALLY_SHIPPED, order.deadline),
                         (OrderStatus.SHIPPED, None)):
        with db.begin() as conn:  # a record that states no deadline: a confirmation
            writer = Writer(conn)
            writer.add(Order(order.order_id, status=status, last_update=NOW))
            writer.flush()
        with db.begin() as conn:
            stored = queries.get_order(conn, order.order_id)
        assert stored.deadline == kept, status
    # A closed order's deadline is still known: the domain computes it when asked.
    assert seller.assess(stored, NOW).ship_by == fresh(order, seller)
