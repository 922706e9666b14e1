"""Importing Amazon's files: every format, merges, re-imports and rejected files, on both databases."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.config import load_settings
from bot.domain.records import Channel, OrderStatus
from bot.errors import ImportRejected
from bot.store import Database, queries, return_requests
from bot.store.models import IMPORTS, ORDERS
from bot.usecases.import_files import import_order
from bot.usecases.imports import import_file
from bot.wiring import seller_of
from tests.conftest import FIXTURES, SAMPLES, SP_API_V0, stored

SP_API = SP_API_V0
V2026 = FIXTURES / "sp-api-v2026"

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # the samples' moment


def order(db: Database, order_id: str):
    with db.begin() as conn:
        return queries.get_order(conn, order_id)


def count(db: Database, model) -> int:
    with db.begin() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def test_all_orders_report(db, seller):
    result = import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW)
    assert (result.kind, result.rows, result.orders, result.items) == ("all-orders", 40, 34, 40)
    assert result.new_orders == 34
    # Order #07 of tests/fixtures/seller/README.md: shipped by the seller, two lines.
    bread = order(db, "207-2629061-9259649")
    assert bread.status is OrderStatus.SHIPPED
    assert bread.fulfillment_channel is Channel.MERCHANT
    assert bread.marketplace_id == "ATVPDKIKX0DER"
    assert bread.purchase_date == datetime(2026, 11, 6, 3, 44, 58, tzinfo=UTC)
    assert bread.last_update == datetime(2026, 11, 6, 22, 15, 30, tzinfo=UTC)
    assert [i.sku for i in bread.items] == ["MUG-STN-12-BLU", "SOURDOUGH-HC-NEW"]
    book = bread.items[1]
    assert (book.asin, book.title) == (
        "0761194207", "Sourdough at Altitude: Baking Bread in the Mountains")
    assert (book.quantity_ordered, book.quantity_shipped) == (1, 1)
    assert (book.item_price, book.item_tax, book.shipping_price) == (
        Decimal("27.95"), Decimal("2.48"), Decimal("3.99"))
    # two lines: 27.95+2.48+3.99+0.35 (shipping tax) + 12.00+1.07+0.00+0.00
    assert bread.total == Decimal("47.84")
    # "Cancelled" in the report is the API's "Canceled"; a cancelled line shipped nothing.
    assert order(db, "204-4128230-6006134").status is OrderStatus.CANCELED  # #04
    astro = order(db, "202-9490237-1501208")  # #11: its second line, the CD, was cancelled
    assert astro.status is OrderStatus.SHIPPED
    assert [(i.sku, i.quantity_shipped) for i in astro.items] == [
        ("CD-MARIGOLD-2CD", 0), ("DVD-ASTRO-3D", 1)]
    assert order(db, "206-4056398-6221599").fulfillment_channel is Channel.AMAZON  # #02
    assert order(db, "204-4861797-1259925").is_business is True  # #29
    assert order(db, "201-0210853-9000372").status is OrderStatus.PENDING  # #34


def test_a_cancelled_line_is_no_part_of_the_orders_total_units_or_revenue(db, seller):
    from bot import render
    from bot.usecases import digests, orders

    # #11: the DVD shipped, the CD (17.49) was cancelled; it counted in the order's total
    # and in the digest's units and revenue as if sold.
    import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW)
    astro = order(db, "202-9490237-1501208")
    cd = next(i for i in astro.items if i.sku == "CD-MARIGOLD-2CD")
    assert (cd.quantity_ordered, cd.quantity_shipped, cd.item_price) == (0, 0, 0)
    assert astro.total == Decimal("29.95") + Decimal("2.47") + Decimal("3.99") + Decimal("0.33")
    detail = orders.order_detail(db, seller, astro.order_id, NOW)
    shown = render.text("order", detail=detail, tz=seller.timezone,
                        marketplace=seller.marketplace)
    assert "0 x The Marigold Sessions [2 CD]" in shown and "· cancelled" in shown
    placed = astro.purchase_date
    new = digests.digest(db, seller, placed + timedelta(seconds=1),
                         since=placed - timedelta(seconds=1)).new
    assert [(n.orders, n.units, n.revenue) for n in new] == [(1, 1, astro.total)]


def test_a_line_cancelled_after_an_earlier_import_loses_its_price(db, seller, tmp_path):
    # Imported while it was to ship, the CD kept its 17.49 after the newer report said it
    # was cancelled: a blank price never erases a stored one.
    lines = (SAMPLES / "all-orders.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    cd = next(line for line in lines if "CD-MARIGOLD-2CD" in line
              and line.startswith("202-9490237-1501208")).split("\t")
    earlier = list(cd)
    earlier[3], earlier[12] = "2026-11-10T01:00:00+00:00", "Unshipped"
    before = tmp_path / "before.txt"
    before.write_text(lines[0] + "\t".join(earlier), encoding="utf-8")
    import_file(db, before, seller, now=NOW)
    import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW)
    line = next(i for i in order(db, "202-9490237-1501208").items if i.sku == "CD-MARIGOLD-2CD")
    assert (line.quantity_ordered, line.item_price) == (0, 0)


def test_unshipped_report_gives_the_ship_by_deadline(db, seller):
    import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW)
    result = import_file(db, SAMPLES / "unshipped-orders.txt", seller, now=NOW)
    assert (result.kind, result.rows, result.orders, result.items) == ("unshipped-orders", 15, 13, 15)
    assert result.new_orders == 0  # the same orders as the All Orders report
    marigold = order(db, "209-5165469-2552960")  # #19
    # promise-date 2026-11-23T08:00:00+00:00 is midnight Pacific of the promise day; the
    # order is due by the end of that day (days-past-promise counts whole days).
    assert marigold.latest_ship_date == datetime(2026, 11, 24, 7, 59, 59, tzinfo=UTC)
    assert marigold.items[0].order_item_id == "75226867192696"
    # The All Orders report's data stays where the Unshipped report is silent.
    assert marigold.items[0].asin == "B0MA7E96L8"
    assert marigold.items[0].item_price == Decimal("17.49")
    assert order(db, "203-0456207-9437191").is_prime is True  # #26
    assert order(db, "204-4861797-1259925").is_business is True  # #29


def test_a_promise_day_ends_in_amazons_zone_whatever_the_sellers(db, settings):
    # A seller in New York of amazon.com: Amazon writes the promise day as midnight Pacific
    # (03:00 in New York), and it ends at 23:59:59 Pacific, as the API's LatestShipDate does.
    new_york = seller_of(load_settings(database_url=settings.database_url,
                                       seller_timezone="America/New_York"))
    import_file(db, SAMPLES / "unshipped-orders.txt", new_york, now=NOW)
    assert order(db, "209-5165469-2552960").latest_ship_date == datetime(2026, 11, 24, 7, 59, 59,
                                                                        tzinfo=UTC)


def test_returns_report(db, seller):
    result = import_file(db, SAMPLES / "returns.txt", seller, now=NOW)
    assert (result.kind, result.rows, result.returns) == ("returns", 10, 10)
    with db.begin() as conn:
        both = return_requests.returns_for(conn, "207-2629061-9259649")  # #07, both lines returned
        pending = return_requests.returns_for(conn, "204-5441985-0344931")[0]  # #08
        safet = return_requests.returns_for(conn, "209-5411810-6969323")[0]  # #06
        claim = return_requests.returns_for(conn, "204-1648363-1522796")[0]  # #10
    assert sorted(r.sku for r in both) == ["MUG-STN-12-BLU", "SOURDOUGH-HC-NEW"]
    approved = both[1]  # the later request: the book, not yet delivered back
    assert approved.request_date.isoformat() == "2026-11-20"
    assert (approved.status, approved.reason, approved.in_policy) == (
        "Approved", "ORDERED_WRONG_ITEM", True)
    assert approved.return_delivery_date is None  # a single space in the file
    assert (pending.status, pending.in_policy, pending.label_type) == ("Pending", False, None)
    assert (safet.safet_claim_id, safet.safet_claim_state) == ("3017429865", "Granted")
    assert safet.safet_claim_date.isoformat() == "2026-11-21"
    assert safet.refunded_amount == Decimal("14.04")
    assert claim.a_to_z_claim is True


def test_an_older_returns_report_read_after_a_newer_one_reopens_no_return(db, seller, tmp_path):
    # Returns reports say nothing of when they were made: a week-old report imported after
    # today's took a completed return back to "Approved", and dropped its refund.
    lines = (SAMPLES / "returns.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    header, completed = lines[0], lines[1]
    cells = completed.split("\t")
    assert (cells[0], cells[3]) == ("201-5285708-7594448", "Completed")
    older_cells = list(cells)
    older_cells[3], older_cells[23], older_cells[-1] = "Approved", " ", "\n"
    older = tmp_path / "returns-last-week.txt"
    older.write_text(header + "\t".join(older_cells), encoding="utf-8")
    newer = tmp_path / "returns-today.txt"
    newer.write_text(header + completed, encoding="utf-8")

    def stated() -> tuple:
        with db.begin() as conn:
            found = return_requests.returns_for(conn, "201-5285708-7594448")[0]
        return found.status, found.return_delivery_date, found.refunded_amount

    import_file(db, newer, seller, now=NOW)
    today = stated()
    assert today[0] == "Completed" and today[1] is not None and today[2] is not None
    import_file(db, older, seller, now=NOW)
    assert stated() == today
    # Read in the order they were made, the newer one moves the return on as ever.
    db2 = tmp_path / "in-order.db"
    in_order = Database.open(f"sqlite:///{db2}")
    try:
        import_file(in_order, older, seller, now=NOW)
        import_file(in_order, newer, seller, now=NOW)
        with in_order.begin() as conn:
            found = return_requests.returns_for(conn, "201-5285708-7594448")[0]
        assert (found.status, found.return_delivery_date, found.refunded_amount) == today
    finally:
        in_order.close()


def test_an_order_of_unknown_status_is_still_a_new_order_in_the_digest(db, seller, tmp_path):
    from bot.usecases import digests

    # Imported "without a status" (a status word Amazon added), such orders were left out of
    # the digest's new orders and revenue: `status != 'Canceled'` is never true of NULL.
    lines = (SAMPLES / "all-orders.txt").read_text().splitlines(keepends=True)
    unknown = tmp_path / "unknown.txt"
    unknown.write_text(lines[0] + "".join(
        line.replace("\tUnshipped\t", "\tShipping - Label Created\t", 1) for line in lines[1:]))
    import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW)
    expected = digests.digest(db, seller, NOW).new_orders
    assert expected > 1
    with db.begin() as conn:
        conn.exec_driver_sql("DELETE FROM order_items")
        conn.exec_driver_sql("DELETE FROM orders")
    notes = import_file(db, unknown, seller, now=NOW).notes
    assert notes and {n.code for n in notes} == {"unknown_status"}
    assert digests.digest(db, seller, NOW).new_orders == expected


def test_an_unshipped_report_order_whose_later_line_shipped_is_partly_shipped(db, seller,
                                                                             tmp_path):
    # Its status came from its first line only: with the second line shipped, a newer report
    # turned a partly shipped order back into an unshipped one.
    lines = (SAMPLES / "unshipped-orders.txt").read_text(encoding="utf-8").splitlines(
        keepends=True)
    runs = [line for line in lines if line.startswith("204-3314577-1300823\t")]
    assert len(runs) == 2
    second = runs[1].split("\t")
    second[12], second[13] = "1", "0"  # quantity-shipped, quantity-to-ship
    report = tmp_path / "unshipped.txt"
    report.write_text(lines[0] + runs[0] + "\t".join(second), encoding="utf-8")
    import_file(db, report, seller, now=NOW)
    stored = order(db, "204-3314577-1300823")
    assert stored.status is OrderStatus.PARTIALLY_SHIPPED
    assert sorted(i.quantity_shipped for i in stored.items) == [0, 1]


def test_sp_api_v0_responses(db, seller, tmp_path):
    files = import_order(sorted(SP_API.glob("*.json")))
    # Orders first, though the shell lists getOrderItems-* before getOrders-*.
    assert [p.name for p in files[:2]] == ["getOrders-page1.json", "getOrders-page2.json"]
    results = [import_file(db, path, seller, now=NOW) for path in files]
    assert sum(r.orders for r in results) == 8
    assert sum(r.items for r in results) == 9
    # Order numbers (#28...) are those of tests/fixtures/seller/README.md.
    partly = order(db, "204-3314577-1300823")  # #28
    assert partly.status is OrderStatus.PARTIALLY_SHIPPED
    assert partly.latest_ship_date == datetime(2026, 11, 28, 7, 59, 59, tzinfo=UTC)
    assert partly.order_total == Decimal("61.56")
    # The book shipped, the DVD did not.
    assert {i.sku: i.quantity_shipped for i in partly.items} == {
        "TIDEPOOLS-2E-UVG": 1, "DVD-NRIVERS-CS": 0}
    assert {(i.sku, i.quantity_ordered, i.item_price) for i in partly.items} == {
        ("TIDEPOOLS-2E-UVG", 1, Decimal("14.25")), ("DVD-NRIVERS-CS", 1, Decimal("34.99"))}
    assert order(db, "208-4315693-2325246").ship_service_level == "Expedited"  # #23
    mugs = order(db, "209-9999921-6584980")  # #31: ItemPrice is the total of its 2 mugs
    assert {(i.sku, i.quantity_ordered, i.item_price) for i in mugs.items} == {
        ("MUG-TRV-16-BLK", 2, Decimal("43.90"))}
    assert mugs.items[0].buyer_requested_cancel is True
    prime, business = order(db, "203-0456207-9437191"), order(db, "204-4861797-1259925")
    assert (prime.is_prime, prime.is_business) == (True, False)  # #26
    assert (business.is_prime, business.is_business) == (False, True)  # #29
    # No answer in the fixtures is Canceled: #31 (its buyer asked to cancel) as Amazon answers
    # once it is, without OrderTotal and LatestDeliveryDate, under an id of its own.
    page = json.loads((SP_API / "getOrders-page2.json").read_text())
    gone = next(o for o in page["payload"]["Orders"] if o["AmazonOrderId"] == mugs.order_id)
    del gone["OrderTotal"], gone["LatestDeliveryDate"]
    gone.update(OrderStatus="Canceled", AmazonOrderId="209-9999921-6584981",
                SellerOrderId="209-9999921-6584981")
    page["payload"]["Orders"] = [gone]
    (tmp_path / "getOrders-canceled.json").write_text(json.dumps(page))
    lines = json.loads((SP_API / f"getOrderItems-{mugs.order_id}.json").read_text())
    lines["payload"]["AmazonOrderId"] = "209-9999921-6584981"
    (tmp_path / "getOrderItems-canceled.json").write_text(json.dumps(lines))
    for name in ("getOrders-canceled.json", "getOrderItems-canceled.json"):
        import_file(db, tmp_path / name, seller, now=NOW)
    canceled = order(db, "209-9999921-6584981")
    assert canceled.status is OrderStatus.CANCELED
    assert canceled.items[0].buyer_requested_cancel is True
    assert canceled.latest_delivery_date is None and canceled.order_total is None


def test_sp_api_v2026_responses(db, seller):
    search = import_file(db, V2026 / "searchOrders-example.json", seller, now=NOW)
    got = import_file(db, V2026 / "getOrder-example.json", seller, now=NOW)
    brazil = import_file(db, V2026 / "searchOrders-sandbox-brazil.json", seller, now=NOW)
    assert (search.kind, got.kind) == ("sp-api-searchorders", "sp-api-getorder")
    assert (search.orders, search.items, brazil.orders) == (1, 2, 1)
    echo = order(db, "123-4567890-1234567")
    assert echo.status is OrderStatus.SHIPPED
    assert echo.fulfillment_channel is Channel.MERCHANT
    assert (echo.is_prime, echo.is_business) == (True, True)
    assert echo.merchant_order_id == "SELLER-ORDER-2024-001"
    assert echo.ship_service_level == "Standard"
    assert echo.latest_ship_date == datetime(2024, 12, 27, 23, 59, 59, tzinfo=UTC)
    assert echo.order_total == Decimal("154.99")
    assert echo.shipped_at == datetime(2024, 12, 25, 14, 0, tzinfo=UTC)
    dot = next(i for i in echo.items if i.sku == "ECHO-DOT-4-CHARCOAL")
    assert (dot.quantity_ordered, dot.quantity_shipped, dot.item_price) == (2, 2, Decimal("99.98"))
    assert (dot.condition, dot.buyer_requested_cancel) == ("NEW", True)
    unshipped = order(db, "171-2345678-9012345")
    assert unshipped.status is OrderStatus.UNSHIPPED
    assert unshipped.marketplace_id == "A2Q3Y263D00KWC"
    assert (got.orders, got.items) == (1, len(order(db, "202-1234567-8901234").items))


@pytest.mark.parametrize("field, value", [
    ("packages", 5), ("orderAliases", 7), ("programs", 3), ("proceeds", []),
    ("fulfillment", "SHIPPED"), ("salesChannel", 1),
])
def test_a_v2026_object_of_the_wrong_json_type_reads_as_absent(db, seller, tmp_path, field, value):
    # A number where a list or an object belongs once stopped a whole sync with a TypeError.
    data = json.loads((V2026 / "searchOrders-example.json").read_text())
    data["orders"][0][field] = value
    path = tmp_path / "searchOrders.json"
    path.write_text(json.dumps(data))
    assert import_file(db, path, seller, now=NOW).orders == 1
    assert order(db, "123-4567890-1234567").order_id == "123-4567890-1234567"


def test_reimporting_changes_nothing_and_counts_nothing_twice(db, seller):
    paths = [SAMPLES / "all-orders.txt", SAMPLES / "unshipped-orders.txt", SAMPLES / "returns.txt",
             *import_order(sorted(SP_API.glob("*.json")))]
    for path in paths:
        import_file(db, path, seller, now=NOW)
    before = stored(db)
    again = [import_file(db, path, seller, now=NOW) for path in paths]
    assert stored(db) == before
    assert [r.new_orders for r in again] == [0] * len(paths)
    assert count(db, ORDERS) == 34  # in the reports; the 8 SP-API orders are 8 of them
    assert count(db, IMPORTS) == 2 * len(paths)


def test_overlapping_files_merge(db, seller, tmp_path):
    lines = (SAMPLES / "all-orders.txt").read_text().splitlines(keepends=True)
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("".join(lines[:25]))
    second.write_text("".join(lines[:1] + lines[15:]))
    import_file(db, first, seller, now=NOW)
    result = import_file(db, second, seller, now=NOW)
    ids = lambda chunk: {line.split("\t")[0] for line in chunk}  # noqa: E731
    assert result.new_orders == len(ids(lines[25:]) - ids(lines[1:25])) == 13
    merged = stored(db)

    whole = tmp_path / "whole.db"
    other = Database.open(f"sqlite:///{whole}")
    import_file(other, SAMPLES / "all-orders.txt", seller, now=NOW)
    for table in ("orders", "order_items"):
        assert merged[table] == stored(other)[table]


def _with_status(tmp_path: Path, name: str, updated: str, status: str) -> Path:
    lines = (SAMPLES / "all-orders.txt").read_text().splitlines(keepends=True)
    row = next(line for line in lines if line.startswith("209-5165469-2552960")).split("\t")
    row[3], row[4], row[12] = updated, status, status
    path = tmp_path / name
    path.write_text(lines[0] + "\t".join(row))
    return path


def test_the_newer_last_update_wins(db, seller, tmp_path):
    old = _with_status(tmp_path, "old.txt", "2026-11-19T17:00:00+00:00", "Unshipped")
    new = _with_status(tmp_path, "new.txt", "2026-11-24T09:00:00+00:00", "Shipped")
    import_file(db, new, seller, now=NOW)
    import_file(db, old, seller, now=NOW)  # an older file arriving late changes nothing
    late = order(db, "209-5165469-2552960")
    assert late.status is OrderStatus.SHIPPED
    assert late.last_update == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert late.items[0].quantity_shipped == 1

    other = Database.open(f"sqlite:///{tmp_path / 'forward.db'}")
    import_file(other, old, seller, now=NOW)
    import_file(other, new, seller, now=NOW)
    assert order(other, "209-5165469-2552960").status is OrderStatus.SHIPPED


def test_a_broken_file_is_rejected_whole(db, seller):
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, SAMPLES / "broken-orders.txt", seller, now=NOW)
    problems = rejected.value.params["problems"]
    assert [(p.where, p.code) for p in problems] == [
        (4, "field_count"), (7, "bad_time"), (10, "bad_count")]
    assert problems[1].params == {"column": "purchase-date", "value": "2026-11-31T14:03:11+00:00"}
    assert problems[2].params == {"column": "quantity", "value": "two"}
    assert stored(db) == {"orders": [], "order_items": [], "returns": []}
    assert count(db, IMPORTS) == 0


def test_skip_bad_rows_imports_the_rest(db, seller):
    result = import_file(db, SAMPLES / "broken-orders.txt", seller, now=NOW, skip_bad_rows=True)
    assert [p.where for p in result.skipped] == [4, 7, 10]
    assert (result.rows, result.items) == (11, 8)
    assert order(db, "202-2009013-9034509") is None  # line 4
    assert order(db, "201-5285708-7594448") is not None  # line 2


def test_the_summary_lists_the_first_skipped_rows_and_notes_and_counts_the_rest(db, seller,
                                                                                 tmp_path):
    # A 21st unknown status was never named nor counted; skipped rows were listed by the
    # thousand.
    from bot import render

    header, *rows = (SAMPLES / "all-orders.txt").read_text().splitlines()
    columns = header.split("\t")
    status, quantity = columns.index("order-status"), columns.index("quantity")
    lines = [header]
    for number, row in enumerate(rows[:30]):
        cells = row.split("\t")
        if number < 25:
            cells[status] = f"Teleported{number}"
        else:
            cells[quantity] = "two"
        lines.append("\t".join(cells))
    path = tmp_path / "odd.txt"
    path.write_text("\n".join(lines) + "\n")
    result = import_file(db, path, seller, now=NOW, skip_bad_rows=True)
    assert (len(result.notes), result.noted) == (20, len({r.split("\t")[0] for r in rows[:25]}))
    said = render.text("import", result=result)
    assert said.count(": note: ") == 20 and f"... and {result.noted - 20} more note" in said
    assert said.count(": skipped: ") == 5 and "more skipped" not in said
    bad = [header] + ["\t".join([*row.split("\t")[:quantity], "two",
                                 *row.split("\t")[quantity + 1:]]) for row in rows[:25]]
    path.write_text("\n".join(bad) + "\n")
    said = render.text("import", result=import_file(db, path, seller, now=NOW,
                                                    skip_bad_rows=True))
    assert said.count(": skipped: ") == 20 and "... and 5 more skipped rows" in said


def test_items_without_their_order_are_rejected(db, seller):
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, SP_API / "getOrderItems-204-3314577-1300823.json", seller, now=NOW)
    assert rejected.value.code == "orphan_items"
    assert rejected.value.params["order_ids"] == ["204-3314577-1300823"]
    assert stored(db)["order_items"] == []


@pytest.mark.parametrize(("content", "why"), [
    (b"", "empty"),
    (b"hello\tworld\n1\t2\n", "unknown_header"),
    (b'{"payload": {"Shipments": []}}', "unknown_json"),
    (b"\xff\xfe\x00a\x00m\x00", "not_text"),
])
def test_files_that_are_not_reports(db, seller, tmp_path, content, why):
    path = tmp_path / "mystery.txt"
    path.write_bytes(content)
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, path, seller, now=NOW)
    assert (rejected.value.code, rejected.value.params["why"]) == ("file_unrecognized", why)


@pytest.mark.parametrize(("packed", "why", "says"), [
    ("zip", "zip", "unzip it"), ("xlsx", "zip", 'save it as "Text (Tab delimited)"'),
    ("gzip", "gzip", "gunzip"), ("xls", "excel", "Excel workbook"),
])
def test_an_archive_or_a_workbook_is_named_as_one(db, seller, tmp_path, packed, why, says):
    import gzip
    import zipfile

    from bot.render import message

    # A zipped download or the report saved from Excel: "not a text report sellerbot can read
    # (try --encoding)", which no --encoding could help.
    report = (SAMPLES / "all-orders.txt").read_bytes()
    path = tmp_path / f"all-orders.{packed}"
    if packed in ("zip", "xlsx"):
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("all-orders.txt" if packed == "zip" else "xl/workbook.xml", report)
    elif packed == "gzip":
        path.write_bytes(gzip.compress(report))
    else:  # the old .xls: a compound document
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, path, seller, now=NOW)
    assert (rejected.value.code, rejected.value.params["why"]) == ("file_unrecognized", why)
    assert says in message("errors", rejected.value.code, **rejected.value.params)


def test_an_api_error_response_is_named(db, seller, tmp_path):
    path = tmp_path / "error.json"
    path.write_text('{"errors": [{"code": "InvalidInput", "message": "Invalid Input"}]}')
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, path, seller, now=NOW)
    assert rejected.value.params["problems"][0].params == {
        "api_code": "InvalidInput", "message": "Invalid Input"}


def test_bytes_that_are_not_utf8_name_their_line(db, seller, tmp_path):
    lines = (SAMPLES / "all-orders.txt").read_bytes().splitlines(keepends=True)
    assert b"Harbor Lights - Live" in lines[4]
    lines[4] = lines[4].replace(b"Harbor Lights", b"Harbor Lights \xe9dition")
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"".join(lines))
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, path, seller, now=NOW)
    assert [(p.where, p.code) for p in rejected.value.params["problems"]] == [(5, "not_text")]
    result = import_file(db, path, seller, now=NOW, encoding="cp1252")
    assert result.items == 40
    assert [i.title for i in order(db, "204-4128230-6006134").items] == [
        "Harbor Lights \u00e9dition - Live at the Pier (Audio CD)"]


def test_a_utf8_file_with_its_byte_order_mark_is_utf8_whatever_encoding_is_given(db, seller,
                                                                                  tmp_path):
    # `sellerbot import --encoding cp1252 ~/Downloads/*.txt`: among the cp1252 reports, one
    # saved as UTF-8 by an editor, its byte-order mark first. Read as cp1252, the mark spoilt
    # the header ("not a report sellerbot knows").
    text = (SAMPLES / "all-orders.txt").read_text().replace("Harbor Lights", "Caf\u00e9 Lights")
    path = tmp_path / "utf8-bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    result = import_file(db, path, seller, now=NOW, encoding="cp1252")
    assert result.items == 40
    assert [i.title for i in order(db, "204-4128230-6006134").items] == [
        "Caf\u00e9 Lights - Live at the Pier (Audio CD)"]


def test_a_missing_column_is_named(db, seller, tmp_path):
    text = (SAMPLES / "all-orders.txt").read_text().replace("\tquantity\t", "\tqty\t", 1)
    path = tmp_path / "renamed.txt"
    path.write_text(text)
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, path, seller, now=NOW)
    problem = rejected.value.params["problems"][0]
    assert (problem.where, problem.code, problem.params) == (1, "missing_columns", {"columns": ["quantity"]})


def test_headers_are_matched_by_name_not_position(db, seller, tmp_path):
    # Columns shuffled, one renamed in another case, an unknown one added: reads the same.
    rows = [line.split("\t") for line in (SAMPLES / "returns.txt").read_text().splitlines()]
    order_of_columns = list(reversed(range(len(rows[0]))))
    shuffled = [[row[i] for i in order_of_columns] + ["extra"] for row in rows]
    shuffled[0] = [h.replace("A-to-Z Claim", "a-to-z claim") for h in shuffled[0]]
    path = tmp_path / "shuffled.txt"
    path.write_text("\n".join("\t".join(row) for row in shuffled) + "\n")
    import_file(db, path, seller, now=NOW)
    assert stored(db)["returns"] == stored_returns_of_sample(seller, tmp_path)


def stored_returns_of_sample(seller, tmp_path):
    reference = Database.open(f"sqlite:///{tmp_path / 'reference.db'}")
    import_file(reference, SAMPLES / "returns.txt", seller, now=NOW)
    return stored(reference)["returns"]


def test_files_are_streamed(ctx, tmp_path):
    # Reading the first records of a 30 MB report touches only its first megabytes.
    from bot.sources.files import open_source

    lines = (SAMPLES / "all-orders.txt").read_text().splitlines(keepends=True)
    path = tmp_path / "big.txt"
    with path.open("w") as out:
        out.write(lines[0])
        for _ in range(30_000):
            out.writelines(lines[1:])
    with open_source(path) as source:
        records = source.records(ctx)
        for _ in range(100):
            next(records)
        assert source.bytes_read < 4 * 1024 * 1024 < source.size


def test_progress_is_reported_as_bytes(db, seller):
    seen = []
    import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW,
                progress=lambda p, done, total: seen.append((done, total)))
    size = (SAMPLES / "all-orders.txt").stat().st_size
    assert seen[-1] == (size, size)


def test_a_file_without_update_times_only_fills_gaps(db, seller, tmp_path):
    new = _with_status(tmp_path, "new.txt", "2026-11-24T09:00:00+00:00", "Shipped")
    undated = _with_status(tmp_path, "undated.txt", "", "Unshipped")
    import_file(db, new, seller, now=NOW)
    import_file(db, undated, seller, now=NOW)
    assert order(db, "209-5165469-2552960").status is OrderStatus.SHIPPED
    other = Database.open(f"sqlite:///{tmp_path / 'undated-first.db'}")
    import_file(other, undated, seller, now=NOW)
    import_file(other, new, seller, now=NOW)
    assert order(other, "209-5165469-2552960").status is OrderStatus.SHIPPED


@pytest.mark.parametrize(("threshold", "analysed"), [(40, True), (41, False)])
def test_a_large_import_refreshes_postgresqls_planner_statistics(db, seller, monkeypatch,
                                                                 threshold, analysed):
    # Autovacuum notices a big import minutes later; until then the digest's plans are guesses
    # (bench/digest.py: 170 ms before ANALYZE, 85 ms after, over a million orders).
    if db.dialect != "postgresql":
        pytest.skip("SQLite keeps no planner statistics sellerbot's queries need")
    monkeypatch.setattr("bot.usecases.imports.ANALYZE_AFTER_ROWS", threshold)
    import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW)  # 40 rows
    with db.begin() as conn:
        # ANALYZE sets reltuples; a table never analysed (nor vacuumed) says -1.
        tuples = conn.exec_driver_sql(
            "SELECT reltuples FROM pg_class WHERE relname = 'orders'").scalar()
    assert (tuples == 34) is analysed


def test_a_report_whose_name_is_not_in_the_systems_encoding_imports(db, seller, tmp_path):
    # A Latin-1 "réport.txt" unzipped from a Windows archive: its name holds a byte no
    # database text takes, and the import failed on the import log's file name.
    import os
    import shutil

    path = tmp_path / os.fsdecode(b"r\xe9port.txt")
    shutil.copy(SAMPLES / "all-orders.txt", path)
    assert import_file(db, path, seller, now=NOW).rows > 0
    with db.begin() as conn:
        logged = conn.execute(select(IMPORTS.c.file_name)).scalar_one()
    assert logged.endswith("r\ufffdport.txt")
