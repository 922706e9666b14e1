"""The All Orders report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_*_GENERAL): one row per order line.

Columns and variations: ../shared/spec/reports.md §3. Kept: ids, times, status, channel, service
level, product, quantity, money, ship-country, business flag. Never read: ship-city, ship-state,
ship-postal-code, cpf, purchase-order-number, address-type (privacy.md §3.1).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from itertools import islice
from typing import Any

from bot.domain.marketplaces import find_marketplace
from bot.domain.order_ids import STORED_ORDER_ID
from bot.domain.records import Channel, OrderStatus
from bot.sources.blocks import Block, checked, picked
from bot.sources.codes import channel, order_status, squash
from bot.sources.context import SellerContext
from bot.sources.flatfile import BadCell, BadRow, FlatFile, Note, Part, Place
from bot.sources.values import (
    BadValue,
    asin,
    count_cell,
    currency_cell,
    flag_cell,
    money_cell,
    sku,
    timestamp,
)

KIND = "all-orders"
SIGNATURE = ("amazon-order-id", "order-status", "item-status", "purchase-date")
REQUIRED = ("amazon-order-id", "purchase-date", "order-status", "sku", "quantity")

# A report read in parts (Part) splits where an order begins at or after the part's line, and
# after a readable row among the lines this many before (its window): the part after it is read
# from there, so both parts see the same rows around the split, know the same order before it,
# and split at the same line. Runs of an order's lines stay whole, so a deadline sees all of its
# lines, and bad rows inside a run cannot move the split.
SPLIT_WINDOW = 100

# File rows read into a block at a time (bot/sources/blocks.py): big enough that a column's
# `map` costs next to nothing per cell, small enough to keep memory flat.
BLOCK_ROWS = 2500

# item-status -> how much of the line has shipped (All Orders has no quantity-shipped column).
_SHIPPED_ALL = "shipped"
_SHIPPED_NONE = frozenset({"unshipped", "pending", "cancelled", "canceled"})


class _Columns:
    """Where this file holds each column the parser reads (found once, by header name)."""

    def __init__(self, flat: FlatFile) -> None:
        at = flat.position
        self.id, self.merchant_id = at("amazon-order-id"), at("merchant-order-id")
        self.purchase, self.updated = at("purchase-date"), at("last-updated-date")
        self.status, self.channel, self.sales = (
            at("order-status"), at("fulfillment-channel"), at("sales-channel"))
        self.level, self.title, self.sku, self.asin = (
            at("ship-service-level"), at("product-name"), at("sku"), at("asin"))
        self.item_status, self.quantity, self.currency = (
            at("item-status"), at("quantity"), at("currency"))
        self.price, self.tax, self.ship, self.ship_tax = (
            at("item-price"), at("item-tax"), at("shipping-price"), at("shipping-tax"))
        self.promo, self.ship_promo = at("item-promotion-discount"), at("ship-promotion-discount")
        self.country, self.business = at("ship-country"), at("is-business-order")


def _order_id(cell: str) -> str:
    order_id = cell.strip()
    if STORED_ORDER_ID.fullmatch(order_id) is None:
        raise BadValue("bad_order_id", order_id)
    return order_id


def _time(cell: str) -> datetime:
    return timestamp(cell.strip())


def _optional_time(cell: str) -> datetime | None:
    text = cell.strip()
    return timestamp(text) if text else None


def _optional_channel(cell: str) -> Channel | None:
    return channel(cell) if cell.strip() else None


def _asin(cell: str) -> str | None:
    return asin(cell.strip())


def _text(cells: list[str]) -> list[str | None]:
    return [cell.strip() or None for cell in cells]


@lru_cache(maxsize=256)
def _shipped(item_status: str, quantity: int, status: OrderStatus | None) -> int | None:
    """How much of a line has shipped: All Orders has no quantity-shipped column."""
    squashed = squash(item_status)
    if squashed == _SHIPPED_ALL:
        return quantity
    if squashed in _SHIPPED_NONE:
        return 0
    return quantity if status is OrderStatus.SHIPPED else None


@lru_cache(maxsize=4096)
def _discount(promo: Decimal | None, ship_promo: Decimal | None) -> Decimal | None:
    """A line's promotions, item and shipping together."""
    if promo is None or ship_promo is None:
        discount = promo if ship_promo is None else ship_promo
    else:
        discount = abs(promo) + abs(ship_promo)
    # Amazon writes discounts negative in some reports; stored as positive amounts.
    return abs(discount) if discount is not None else None


@dataclass
class _Reading:
    """How far reading a report, or a part of it, has got from one block of rows to the next.
    A part reads nothing before its first split, and stops at the next (SPLIT_WINDOW)."""

    begin: int
    end: int | None
    window: int
    reading: bool
    previous_order: str | None = None
    last_readable: int = 0
    ended: bool = False

    def at_order(self, number: int) -> None:
        """A new order begins on line `number`: start or stop reading there."""
        if not self.reading and number >= self.begin and (
                self.last_readable >= self.begin - self.window):
            self.reading = True
        if self.reading and self.end is not None and number >= self.end and (
                self.last_readable >= self.end - self.window):
            self.ended = True


class _Rows:
    """The rows of a block, a column at a time: each checked and converted once."""

    def __init__(self, rows: list[tuple[int, list[str]]], c: _Columns) -> None:
        self.numbers = [number for number, _ in rows]
        cells = list(zip(*(fields for _, fields in rows), strict=True)) if rows else []
        self.cells = cells
        self.bad: dict[int, BadCell] = {}
        check = self._check
        # In this order: a row's problem is the first of these that cannot be read.
        self.ids = check(c.id, _order_id, "amazon-order-id")
        self.purchases = check(c.purchase, _time, "purchase-date")
        self.updates = check(c.updated, _optional_time, "last-updated-date")
        self.statuses = list(map(order_status, cells[c.status])) if rows else []
        self.channels = check(c.channel, _optional_channel, "fulfillment-channel")
        self.quantities = check(c.quantity, count_cell, "quantity")
        self.money = {name: check(at, money_cell, column) for name, at, column in (
            ("item_price", c.price, "item-price"), ("item_tax", c.tax, "item-tax"),
            ("shipping_price", c.ship, "shipping-price"),
            ("shipping_tax", c.ship_tax, "shipping-tax"),
            ("promo", c.promo, "item-promotion-discount"),
            ("ship_promo", c.ship_promo, "ship-promotion-discount"))}
        self.business = check(c.business, flag_cell, "is-business-order")
        self.currencies = check(c.currency, currency_cell, "currency")
        self.asins = check(c.asin, _asin, "asin")
        # A line without a SKU is keyed by its ASIN.
        keys = [cell.strip() or line_asin or "" for cell, line_asin in
                zip(cells[c.sku], self.asins, strict=True)] if rows else []
        self.skus = checked(keys, sku, "sku", self.bad)

    def _check(self, at: int, read: Callable[[str], Any], column: str) -> list:
        return checked(self.cells[at], read, column, self.bad) if self.cells else []


def _orders(rows: _Rows, c: _Columns, taken: list[int], markets: list[str | None]
            ) -> dict[str, list]:
    """The orders that begin on the `taken` rows, by Order field."""
    cells = rows.cells
    return {
        "order_id": picked(rows.ids, taken),
        "merchant_order_id": _text(picked(cells[c.merchant_id], taken)),
        "purchase_date": picked(rows.purchases, taken),
        "last_update": picked(rows.updates, taken),
        "status": picked(rows.statuses, taken),
        "fulfillment_channel": picked(rows.channels, taken),
        "marketplace_id": markets,
        "ship_service_level": _text(picked(cells[c.level], taken)),
        "is_business": picked(rows.business, taken),
        "currency": picked(rows.currencies, taken),
        # Not in this report: Prime, the ship and delivery windows, shipping and delivery
        # times, and the order total (Order.total sums the lines).
        "ship_country": [cell.strip().upper()[:2] or None
                         for cell in picked(cells[c.country], taken)],
    }


def _items(rows: _Rows, c: _Columns, taken: list[int]) -> dict[str, list]:
    """The order lines on the `taken` rows, by OrderItem field."""
    quantities = picked(rows.quantities, taken)
    money = {name: picked(values, taken) for name, values in rows.money.items()}
    return {
        "order_id": picked(rows.ids, taken),
        "sku": picked(rows.skus, taken),
        "asin": picked(rows.asins, taken),
        "title": _text(picked(rows.cells[c.title], taken)),
        "quantity_ordered": quantities,
        "quantity_shipped": list(map(_shipped, picked(rows.cells[c.item_status], taken),
                                     quantities, picked(rows.statuses, taken))),
        "item_price": money["item_price"],
        "item_tax": money["item_tax"],
        "shipping_price": money["shipping_price"],
        "shipping_tax": money["shipping_tax"],
        "promotion_discount": list(map(_discount, money["promo"], money["ship_promo"])),
        "last_update": picked(rows.updates, taken),
    }


class _Reader:
    """Reads one report's rows into blocks, carrying an order whose lines a block has not
    seen the end of into the next."""

    def __init__(self, flat: FlatFile, state: _Reading) -> None:
        self.c, self.state = _Columns(flat), state
        self.marketplaces: dict[str, str | None] = {}

    def block(self, chunk: list, final: bool) -> tuple[Block, list]:
        """The block of the rows of `chunk` (as FlatFile.rows gives them), and the rows to
        read again with the next: those of its last order, unless `final`."""
        good = [row for row in chunk if type(row) is not BadRow]
        rows, state, block = _Rows(good, self.c), self.state, Block()
        status_cells = rows.cells[self.c.status] if good else ()
        sales = rows.cells[self.c.sales] if good else ()
        taken_orders: list[int] = []
        taken_items: list[int] = []
        markets: list[str | None] = []
        # Where the block's last order began, to end the block before it.
        last_order: tuple | None = None
        n = -1
        for k, row in enumerate(chunk):
            if type(row) is BadRow:
                if state.reading:
                    block.problems.append(row)
                continue
            n += 1
            number = rows.numbers[n]
            if n in rows.bad:
                if state.reading:
                    block.problems.append(rows.bad[n].row(number))
                continue
            order_id = rows.ids[n]
            if order_id != state.previous_order:
                last_order = (k, state.reading, state.previous_order, state.last_readable,
                              len(taken_orders), len(taken_items), len(block.problems),
                              len(block.notes))
                state.at_order(number)
                if state.ended:
                    final = True
                    break
                state.previous_order = order_id
                if rows.statuses[n] is None and state.reading:
                    block.notes.append(Note(number, "unknown_status", {
                        "column": "order-status", "value": status_cells[n].strip()[:40]}))
                if state.reading:
                    taken_orders.append(n)
                    block.first_items.append(len(taken_items))
                    markets.append(self._marketplace(sales[n]))
            state.last_readable = number
            if state.reading:
                taken_items.append(n)
        carried: list = []
        if not final and last_order is not None:
            k, state.reading, state.previous_order, state.last_readable, *kept = last_order
            orders, items, problems, notes = kept
            carried = chunk[k:]
            del taken_orders[orders:], block.first_items[orders:], markets[orders:]
            del taken_items[items:], block.problems[problems:], block.notes[notes:]
        block.order_lines = [rows.numbers[n] for n in taken_orders]
        block.item_lines = [rows.numbers[n] for n in taken_items]
        if taken_orders:
            block.orders = _orders(rows, self.c, taken_orders, markets)
        if taken_items:
            block.items = _items(rows, self.c, taken_items)
        return block, carried

    def _marketplace(self, cell: str) -> str | None:
        sales = cell.strip()
        if sales not in self.marketplaces:
            found = find_marketplace(sales) if sales else None
            self.marketplaces[sales] = found.marketplace_id if found else None
        return self.marketplaces[sales]


def blocks(flat: FlatFile, ctx: SellerContext, part: Part | None = None,
           known: Place | None = None) -> Iterator[Block]:
    """The report's orders, lines, unreadable rows and notes, a block of rows at a time: of the
    whole report, or of a `part` of it, whose lines before it are counted from `known`.
    (The report names each order's marketplace: `ctx` is not needed.)"""
    missing = flat.missing(REQUIRED)
    if missing:
        if part is None or part.begin is None:
            yield Block(problems=[BadRow(1, "missing_columns", {"columns": missing})])
        return
    begin, end, window = (part.begin or 0, part.end, part.window) if part else (0, None, 0)
    reader = _Reader(flat, _Reading(begin, end, window, reading=begin == 0))
    start = max(2, begin - window)
    rows = flat.rows(from_line=start, known=known)
    carried: list = []
    next_line = start
    while True:
        # A part's last block reads little past its end: its split is at the first order
        # that begins there, a line or two on.
        wanted = BLOCK_ROWS if end is None else min(BLOCK_ROWS, max(end - next_line, 0) + 16)
        fresh = list(islice(rows, wanted))
        final = len(fresh) < wanted
        if fresh:
            last = fresh[-1]
            next_line = int(last.where if type(last) is BadRow else last[0]) + 1
        block, carried = reader.block(carried + fresh, final)
        if block.rows or block.notes:
            yield block
        if final or reader.state.ended:
            return
