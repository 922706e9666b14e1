"""Every way a file can be wrong is reported in words, with the line or path it is at.

Each case breaks one thing in a copy of a sample and checks the code of the problem and that
its message renders with the arguments the parser really passes.
"""

import json
import re

import pytest

from bot.errors import ImportRejected
from bot.paths import templates_dir
from bot.render import message
from bot.usecases.imports import import_file
from tests.conftest import FIXTURES, SAMPLES, SP_API_V0
from tests.test_import import NOW

ALL_ORDERS = (SAMPLES / "all-orders.txt").read_text().splitlines(keepends=True)
RETURNS = (SAMPLES / "returns.txt").read_text().splitlines(keepends=True)
UNSHIPPED = (SAMPLES / "unshipped-orders.txt").read_text().splitlines(keepends=True)
GET_ORDERS = json.loads((SP_API_V0 / "getOrders-page2.json").read_text())
SEARCH_ORDERS = json.loads((FIXTURES / "sp-api-v2026" / "searchOrders-example.json").read_text())


def first_row_with(lines: list[str], column: str, value: str) -> bytes:
    """A report of `lines`' header and first row, with `value` in that row's `column`."""
    header = lines[0].rstrip("\n").split("\t")
    row = lines[1].rstrip("\n").split("\t")
    row[header.index(column)] = value
    return (lines[0] + "\t".join(row) + "\n").encode()


def all_orders_with(column: str, value: str) -> bytes:
    return first_row_with(ALL_ORDERS, column, value)


def returns_with(column: str, value: str) -> bytes:
    return first_row_with(RETURNS, column, value)


def unshipped_with(column: str, value: str) -> bytes:
    return first_row_with(UNSHIPPED, column, value)


def get_orders_with(field: str, value: object) -> bytes:
    data = json.loads(json.dumps(GET_ORDERS))
    data["payload"]["Orders"][0][field] = value
    return json.dumps(data).encode()


def search_orders_with(field: str, value: object) -> bytes:
    data = json.loads(json.dumps(SEARCH_ORDERS))
    data["orders"][0][field] = value
    return json.dumps(data).encode()


CASES = {
    "field_count": (ALL_ORDERS[0] + ALL_ORDERS[1].replace("\t", "", 1)).encode(),
    "missing_columns": "".join(ALL_ORDERS[:2]).replace("\tquantity\t", "\tqty\t", 1).encode(),
    "bad_time": all_orders_with("purchase-date", "yesterday"),
    "naive_time": all_orders_with("purchase-date", "2026-11-02T15:12:40"),
    "bad_money": all_orders_with("item-price", "12,99"),
    "bad_count": all_orders_with("quantity", "1.5"),
    "bad_flag": all_orders_with("is-business-order", "maybe"),
    "bad_channel": all_orders_with("fulfillment-channel", "Drone"),
    "bad_order_id": all_orders_with("amazon-order-id", "ORDER-1"),
    "bad_currency": all_orders_with("currency", "<!channel>"),
    "too_long": all_orders_with("sku", "S" * 80),
    # A spreadsheet's re-save: a book's ASIN without its leading zeros, a line id as a number.
    "bad_asin": all_orders_with("asin", "61120081"),
    "bad_item_id": unshipped_with("order-item-id", "6.84619E+13"),
    "empty": returns_with("Amazon RMA ID", " "),
    "bad_date": returns_with("Return request date", "31-Feb-2026"),
    "not_text": ALL_ORDERS[0].encode() + ALL_ORDERS[1].encode().replace(b"Almanac", b"Almanac \xff"),
    "not_a_string": get_orders_with("MarketplaceId", {"id": "x"}),
    "not_a_list": search_orders_with("orderItems", {"orderItemId": "1"}),
    "not_an_object": json.dumps({"payload": {"Orders": ["not an order"]}}).encode(),
    "items_without_order": json.dumps({"payload": {"OrderItems": []}}).encode(),
    "api_error": b'{"errors": [{"code": "Unauthorized", "message": "Access denied"}]}',
    "line_too_long": all_orders_with("product-name", "x" * (1024 * 1024 + 10)),
    # UTF-16 with a lone surrogate after 100 good rows: nothing after it can be decoded.
    "not_text_from_here": (ALL_ORDERS[0] + ALL_ORDERS[1] * 100).encode("utf-16") + b"\x00\xd8"
    + ALL_ORDERS[2].encode("utf-16-le"),
    "too_deep": b'{"payload": {"Orders": [{"AmazonOrderId": ' + b"[" * 100 + b"]" * 100 + b"}]}}",
    "bad_json": b'{"payload": {"Orders": [{"AmazonOrderId": "111-1111111-1111111", "BuyerEmail": "x@y.z" ,,,',
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_problem_is_named_and_worded(db, seller, tmp_path, code):
    path = tmp_path / "broken.txt"
    path.write_bytes(CASES[code])
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, path, seller, now=NOW)
    problems = rejected.value.params["problems"]
    assert [p.code for p in problems] == [code]
    said = message("errors", rejected.value.code, **rejected.value.params)
    first = said.splitlines()[0]
    assert first.startswith(f"{path}:{problems[0].where}: ") and len(first) > len(str(path)) + 10
    assert "<!channel>" not in said or code == "bad_currency"
    # A broken JSON file is not quoted: its text around the fault can be a buyer's data.
    assert "x@y.z" not in said


@pytest.mark.parametrize("day", ["10-Nov-26", "0026-11-10", "10-Nov-1894"])
def test_a_year_no_report_holds_is_a_bad_date(db, seller, tmp_path, day):
    # A spreadsheet saves the returns report's 10-Nov-2026 as 10-Nov-26: read as the year 26,
    # it was stored, shown as "Tue 10 Nov 26", and deleted by the next nightly clean-up.
    assert refused_for(db, seller, tmp_path, returns_with("Return request date", day)) == [
        "bad_date"]


@pytest.mark.parametrize("amount", ["12345678901.00", "-10000000000", "1e12"])
def test_an_amount_the_store_cannot_keep_is_a_bad_money_row(db, seller, tmp_path, amount):
    # NUMERIC(12, 2): SQLite took it, PostgreSQL refused the whole import ('numeric field
    # overflow', 'something went wrong (DataError)') without naming the row.
    assert refused_for(db, seller, tmp_path, all_orders_with("item-price", amount)) == [
        "bad_money"]


def refused_for(db, seller, tmp_path, data: bytes) -> list[str]:
    """The problems a report holding `data` is refused for."""
    path = tmp_path / "report.txt"
    path.write_bytes(data)
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, path, seller, now=NOW)
    return [p.code for p in rejected.value.params["problems"]]


# Rows imported with a note rather than refused.
NOTES = {
    # Amazon adds statuses without notice: the order is kept, without a status.
    "unknown_status": all_orders_with("order-status", "Teleported"),
}


@pytest.mark.parametrize("code", sorted(NOTES))
def test_each_note_is_named_and_worded_and_the_row_imported(db, seller, tmp_path, code):
    from bot.render import text

    path = tmp_path / "noted.txt"
    path.write_bytes(NOTES[code])
    result = import_file(db, path, seller, now=NOW)
    assert result.orders == 1 and result.items == 1 and not result.skipped
    assert [n.code for n in result.notes] == [code]
    said = text("import", result=result)
    assert f"{path}:{result.notes[0].where}: note: " in said and "Teleported" in said


def test_every_problem_has_a_case_here():
    declared = set(re.findall(r"\{% macro (\w+)\(",
                              (templates_dir() / "text" / "problems.txt.j2").read_text()))
    assert declared - {"unknown"} == set(CASES) | set(NOTES)
