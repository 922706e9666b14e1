"""Record field order is part of the store reader's contract: it builds records by position from
the columns it selects in field order (bot/store/rows.py)."""

from dataclasses import fields

from bot.domain.records import Order, OrderItem


def test_order_fields_in_order():
    assert [f.name for f in fields(Order)] == [
        "order_id", "merchant_order_id", "purchase_date", "last_update", "status",
        "fulfillment_channel", "marketplace_id", "ship_service_level", "is_prime", "is_business",
        "earliest_ship_date", "latest_ship_date", "earliest_delivery_date", "latest_delivery_date",
        "shipped_at", "confirmed_at", "delivered_at", "order_total", "currency", "ship_country",
        "deadline", "items",
    ]


def test_order_item_fields_in_order():
    assert [f.name for f in fields(OrderItem)] == [
        "order_id", "sku", "order_item_id", "asin", "title", "quantity_ordered",
        "quantity_shipped", "item_price", "item_tax", "shipping_price", "shipping_tax",
        "promotion_discount", "condition", "product_category", "buyer_requested_cancel",
        "last_update",
    ]
