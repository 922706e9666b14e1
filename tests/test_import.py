"""Importing Amazon's files: every format, merges, re-imports and rejected files, on both databases."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.domain.records import Channel, OrderStatus
from bot.errors import ImportRejected
from bot.imports import import_file, import_order
from bot.store import Database, queries
from bot.store.models import ImportRow, OrderRow
from tests.conftest import FIXTURES, SAMPLES, stored

SP_API = SAMPLES / "sp-api"
V2026 = FIXTURES / "sp-api-v2026"

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # the samples' moment


def order(db: Database, order_id: str):
    with db.begin() as conn:
        return queries.get_order(conn, order_id)


def count(db: Database, model) -> int:
    with db.begin() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def test_all_orders_report(db, ctx):
    result = import_file(db, SAMPLES / "all-orders.txt", ctx, now=NOW)
    assert (result.kind, result.rows, result.orders, result.items) == ("all-orders", 40, 34, 40)
    assert result.new_orders == 34
    gatsby = order(db, "114-3329287-9968101")
    assert gatsby.status is OrderStatus.SHIPPED
    assert gatsby.fulfillment_channel is Channel.MERCHANT
    assert gatsby.marketplace_id == "ATVPDKIKX0DER"
    assert gatsby.purchase_date == datetime(2026, 11, 5, 12, 30, 18, tzinfo=UTC)
    assert gatsby.last_update == datetime(2026, 11, 6, 20, 51, 7, tzinfo=UTC)
    assert [i.sku for i in gatsby.items] == ["BK-0141439513-U-VG", "BK-0743273567-U-G"]
    pride = gatsby.items[0]
    assert (pride.asin, pride.title) == ("0141439513", "Pride and Prejudice (Penguin Classics)")
    assert (pride.quantity_ordered, pride.quantity_shipped) == (1, 1)
    assert (pride.item_price, pride.item_tax, pride.shipping_price) == (
        Decimal("8.99"), Decimal("0.48"), Decimal("3.99"))
    assert gatsby.total == Decimal("29.02")  # two lines: 8.99+0.48+3.99 + 10.99+0.58+3.99
    # "Cancelled" in the report is the API's "Canceled"; a cancelled line shipped nothing.
    assert order(db, "113-5527177-1583881").status is OrderStatus.CANCELED
    road = order(db, "111-2998161-1238477")
    assert road.status is OrderStatus.SHIPPED
    assert [i.quantity_shipped for i in road.items] == [1, 0]
    assert order(db, "111-0653758-0408547").fulfillment_channel is Channel.AMAZON
    assert order(db, "113-5881627-9543918").is_business is True
    assert order(db, "111-2578782-0179870").status is OrderStatus.PENDING


def test_unshipped_report_gives_the_ship_by_deadline(db, ctx):
    import_file(db, SAMPLES / "all-orders.txt", ctx, now=NOW)
    result = import_file(db, SAMPLES / "unshipped-orders.txt", ctx, now=NOW)
    assert (result.kind, result.rows, result.orders, result.items) == ("unshipped-orders", 15, 12, 15)
    assert result.new_orders == 0  # the same orders as the All Orders report
    mockingbird = order(db, "112-8890339-5411810")
    # promise-date 2026-11-23T08:00:00+00:00 is midnight Pacific of the promise day; the
    # order is due by the end of that day (days-past-promise counts whole days).
    assert mockingbird.latest_ship_date == datetime(2026, 11, 24, 7, 59, 59, tzinfo=UTC)
    assert mockingbird.items[0].order_item_id == "68461898060638"
    # The All Orders report's data stays where the Unshipped report is silent.
    assert mockingbird.items[0].asin == "0061120081"
    assert mockingbird.items[0].item_price == Decimal("11.49")
    assert order(db, "112-5441985-0344931").is_prime is True
    assert order(db, "113-5881627-9543918").is_business is True


def test_returns_report(db, ctx):
    result = import_file(db, SAMPLES / "returns.txt", ctx, now=NOW)
    assert (result.kind, result.rows, result.returns) == ("returns", 10, 10)
    with db.begin() as conn:
        both = queries.returns_for(conn, "114-3329287-9968101")
        pending = queries.returns_for(conn, "112-6006134-6877889")[0]
        safet = queries.returns_for(conn, "113-8200678-1212306")[0]
        claim = queries.returns_for(conn, "111-0828100-9177757")[0]
    assert sorted(r.sku for r in both) == ["BK-0141439513-U-VG", "BK-0743273567-U-G"]
    first = both[0]
    assert first.request_date.isoformat() == "2026-11-14"
    assert (first.status, first.reason, first.in_policy) == ("Approved", "CR-ORDERED_WRONG_ITEM", True)
    assert first.return_delivery_date is None  # a single space in the file
    assert (pending.status, pending.in_policy, pending.label_type) == ("Pending", False, None)
    assert (safet.safet_claim_id, safet.safet_claim_state) == ("2026112014522", "Under investigation")
    assert safet.safet_claim_date.isoformat() == "2026-11-19"
    assert safet.refunded_amount == Decimal("21.19")
    assert claim.a_to_z_claim is True


def test_sp_api_v0_responses(db, ctx):
    files = import_order(sorted(SP_API.glob("*.json")))
    # Orders first, though the shell lists getOrderItems-* before getOrders-*.
    assert [p.name for p in files[:2]] == ["getOrders-page1.json", "getOrders-page2.json"]
    results = [import_file(db, path, ctx, now=NOW) for path in files]
    assert sum(r.orders for r in results) == 8
    assert sum(r.items for r in results) == 10
    partly = order(db, "112-0937461-5518842")
    assert partly.status is OrderStatus.PARTIALLY_SHIPPED
    assert partly.latest_ship_date == datetime(2026, 11, 25, 7, 59, 59, tzinfo=UTC)
    assert partly.order_total == Decimal("61.40")
    # The CD shipped, the DVD did not (sp-api/README.md).
    shipped = {i.title.split(" [")[1].rstrip("]") if " [" in i.title else i.title: i.quantity_shipped
               for i in partly.items}
    assert sorted(shipped.values()) == [0, 1]
    assert [q for t, q in shipped.items() if "CD" in t] == [1]
    ties = order(db, "112-6614930-0287155")
    assert ties.ship_service_level == "Expedited"
    assert {(i.sku, i.quantity_ordered, i.item_price) for i in ties.items} == {
        ("CT-100-ASST", 2, Decimal("14.98")), ("BV-PB20K-BLK", 1, Decimal("39.99"))}
    business = order(db, "114-8850316-4471829")
    assert (business.is_prime, business.is_business) == (True, True)
    canceled = order(db, "114-5502891-7713406")
    assert canceled.status is OrderStatus.CANCELED
    assert canceled.items[0].buyer_requested_cancel is True
    assert canceled.latest_delivery_date is None and canceled.order_total is None


def test_sp_api_v2026_responses(db, ctx):
    search = import_file(db, V2026 / "searchOrders-example.json", ctx, now=NOW)
    got = import_file(db, V2026 / "getOrder-example.json", ctx, now=NOW)
    brazil = import_file(db, V2026 / "searchOrders-sandbox-brazil.json", ctx, now=NOW)
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
def test_a_v2026_object_of_the_wrong_json_type_reads_as_absent(db, ctx, tmp_path, field, value):
    # A number where a list or an object belongs once stopped a whole sync with a TypeError.
    data = json.loads((V2026 / "searchOrders-example.json").read_text())
    data["orders"][0][field] = value
    path = tmp_path / "searchOrders.json"
    path.write_text(json.dumps(data))
    assert import_file(db, path, ctx, now=NOW).orders == 1
    assert order(db, "123-4567890-1234567").order_id == "123-4567890-1234567"


def test_reimporting_changes_nothing_and_counts_nothing_twice(db, ctx):
    paths = [SAMPLES / "all-orders.txt", SAMPLES / "unshipped-orders.txt", SAMPLES / "returns.txt",
             *import_order(sorted(SP_API.glob("*.json")))]
    for path in paths:
        import_file(db, path, ctx, now=NOW)
    before = stored(db)
    again = [import_file(db, path, ctx, now=NOW) for path in paths]
    assert stored(db) == before
    assert [r.new_orders for r in again] == [0] * len(paths)
    assert count(db, OrderRow) == 42  # 34 in the reports, 8 in the SP-API samples
    assert count(db, ImportRow) == 2 * len(paths)


def test_overlapping_files_merge(db, ctx, tmp_path):
    lines = (SAMPLES / "all-orders.txt").read_text().splitlines(keepends=True)
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("".join(lines[:25]))
    second.write_text("".join(lines[:1] + lines[15:]))
    import_file(db, first, ctx, now=NOW)
    result = import_file(db, second, ctx, now=NOW)
    ids = lambda chunk: {line.split("\t")[0] for line in chunk}  # noqa: E731
    assert result.new_orders == len(ids(lines[25:]) - ids(lines[1:25])) == 13
    merged = stored(db)

    whole = tmp_path / "whole.db"
    other = Database.open(f"sqlite:///{whole}")
    import_file(other, SAMPLES / "all-orders.txt", ctx, now=NOW)
    for table in ("orders", "order_items"):
        assert merged[table] == stored(other)[table]


def _with_status(tmp_path: Path, name: str, updated: str, status: str) -> Path:
    lines = (SAMPLES / "all-orders.txt").read_text().splitlines(keepends=True)
    row = next(line for line in lines if line.startswith("112-8890339-5411810")).split("\t")
    row[3], row[4], row[12] = updated, status, status
    path = tmp_path / name
    path.write_text(lines[0] + "\t".join(row))
    return path


def test_the_newer_last_update_wins(db, ctx, tmp_path):
    old = _with_status(tmp_path, "old.txt", "2026-11-19T17:00:00+00:00", "Unshipped")
    new = _with_status(tmp_path, "new.txt", "2026-11-24T09:00:00+00:00", "Shipped")
    import_file(db, new, ctx, now=NOW)
    import_file(db, old, ctx, now=NOW)  # an older file arriving late changes nothing
    late = order(db, "112-8890339-5411810")
    assert late.status is OrderStatus.SHIPPED
    assert late.last_update == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert late.items[0].quantity_shipped == 1

    other = Database.open(f"sqlite:///{tmp_path / 'forward.db'}")
    import_file(other, old, ctx, now=NOW)
    import_file(other, new, ctx, now=NOW)
    assert order(other, "112-8890339-5411810").status is OrderStatus.SHIPPED


def test_a_broken_file_is_rejected_whole(db, ctx):
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, SAMPLES / "broken-orders.txt", ctx, now=NOW)
    problems = rejected.value.params["problems"]
    assert [(p.where, p.code) for p in problems] == [
        (4, "field_count"), (7, "bad_time"), (10, "bad_count")]
    assert problems[1].params == {"column": "purchase-date", "value": "2026-11-31T14:03:11+00:00"}
    assert problems[2].params == {"column": "quantity", "value": "two"}
    assert stored(db) == {"orders": [], "order_items": [], "returns": []}
    assert count(db, ImportRow) == 0


def test_skip_bad_rows_imports_the_rest(db, ctx):
    result = import_file(db, SAMPLES / "broken-orders.txt", ctx, now=NOW, skip_bad_rows=True)
    assert [p.where for p in result.skipped] == [4, 7, 10]
    assert (result.rows, result.items) == (11, 8)
    assert order(db, "111-7457810-2526372") is None  # line 4
    assert order(db, "113-4493279-9919884") is not None  # line 2


def test_items_without_their_order_are_rejected(db, ctx):
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, SP_API / "getOrderItems-112-6614930-0287155.json", ctx, now=NOW)
    assert rejected.value.code == "orphan_items"
    assert rejected.value.params["order_ids"] == ["112-6614930-0287155"]
    assert stored(db)["order_items"] == []


@pytest.mark.parametrize(("content", "why"), [
    (b"", "empty"),
    (b"hello\tworld\n1\t2\n", "unknown_header"),
    (b'{"payload": {"Shipments": []}}', "unknown_json"),
    (b"\xff\xfe\x00a\x00m\x00", "not_text"),
])
def test_files_that_are_not_reports(db, ctx, tmp_path, content, why):
    path = tmp_path / "mystery.txt"
    path.write_bytes(content)
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, path, ctx, now=NOW)
    assert (rejected.value.code, rejected.value.params["why"]) == ("file_unrecognized", why)


def test_an_api_error_response_is_named(db, ctx, tmp_path):
    path = tmp_path / "error.json"
    path.write_text('{"errors": [{"code": "InvalidInput", "message": "Invalid Input"}]}')
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, path, ctx, now=NOW)
    assert rejected.value.params["problems"][0].params == {
        "api_code": "InvalidInput", "message": "Invalid Input"}


def test_bytes_that_are_not_utf8_name_their_line(db, ctx, tmp_path):
    lines = (SAMPLES / "all-orders.txt").read_bytes().splitlines(keepends=True)
    assert b"The Great Gatsby" in lines[4]
    lines[4] = lines[4].replace(b"Gatsby", b"Gatsby \xe9dition")
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"".join(lines))
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, path, ctx, now=NOW)
    assert [(p.where, p.code) for p in rejected.value.params["problems"]] == [(5, "not_text")]
    result = import_file(db, path, ctx, now=NOW, encoding="cp1252")
    assert result.items == 40
    assert "The Great Gatsby \u00e9dition" in {i.title for i in order(db, "114-3329287-9968101").items}


def test_a_missing_column_is_named(db, ctx, tmp_path):
    text = (SAMPLES / "all-orders.txt").read_text().replace("\tquantity\t", "\tqty\t", 1)
    path = tmp_path / "renamed.txt"
    path.write_text(text)
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, path, ctx, now=NOW)
    problem = rejected.value.params["problems"][0]
    assert (problem.where, problem.code, problem.params) == (1, "missing_columns", {"columns": ["quantity"]})


def test_headers_are_matched_by_name_not_position(db, ctx, tmp_path):
    # Columns shuffled, one renamed in another case, an unknown one added: reads the same.
    rows = [line.split("\t") for line in (SAMPLES / "returns.txt").read_text().splitlines()]
    order_of_columns = list(reversed(range(len(rows[0]))))
    shuffled = [[row[i] for i in order_of_columns] + ["extra"] for row in rows]
    shuffled[0] = [h.replace("A-to-Z Claim", "a-to-z claim") for h in shuffled[0]]
    path = tmp_path / "shuffled.txt"
    path.write_text("\n".join("\t".join(row) for row in shuffled) + "\n")
    import_file(db, path, ctx, now=NOW)
    assert stored(db)["returns"] == stored_returns_of_sample(ctx, tmp_path)


def stored_returns_of_sample(ctx, tmp_path):
    reference = Database.open(f"sqlite:///{tmp_path / 'reference.db'}")
    import_file(reference, SAMPLES / "returns.txt", ctx, now=NOW)
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


def test_progress_is_reported_as_bytes(db, ctx):
    seen = []
    import_file(db, SAMPLES / "all-orders.txt", ctx, now=NOW,
                progress=lambda p, done, total: seen.append((done, total)))
    size = (SAMPLES / "all-orders.txt").stat().st_size
    assert seen[-1] == (size, size)


def test_a_file_without_update_times_only_fills_gaps(db, ctx, tmp_path):
    new = _with_status(tmp_path, "new.txt", "2026-11-24T09:00:00+00:00", "Shipped")
    undated = _with_status(tmp_path, "undated.txt", "", "Unshipped")
    import_file(db, new, ctx, now=NOW)
    import_file(db, undated, ctx, now=NOW)
    assert order(db, "112-8890339-5411810").status is OrderStatus.SHIPPED
    other = Database.open(f"sqlite:///{tmp_path / 'undated-first.db'}")
    import_file(other, undated, ctx, now=NOW)
    import_file(other, new, ctx, now=NOW)
    assert order(other, "112-8890339-5411810").status is OrderStatus.SHIPPED
