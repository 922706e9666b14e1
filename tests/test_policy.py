"""rules/shipping.yaml: loaded and checked, a seller's file laid over it, bad files named in one line."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from bot.domain.records import Channel, Order, OrderStatus
from bot.domain.shipment_rates import Shipment, count_shipments
from bot.errors import ConfigError
from bot.paths import rules_dir
from bot.policy import return_rules, shipping_rules
from bot.render import message
from bot.store import queries
from bot.store.writer import Writer
from bot.usecases.late_shipments import window_counts, windows_ending


@pytest.fixture(autouse=True)
def fresh_cache():
    shipping_rules.cache_clear()
    yield
    shipping_rules.cache_clear()


def test_bundled_rules():
    rules = shipping_rules()
    assert rules.media_handling_days == 2
    assert rules.auto_cancel_days == 7 and not rules.auto_cancel_business_days
    assert rules.lsr_target == 0.04 and rules.lsr_windows_days == (10, 30)
    assert "books" in rules.media_categories
    bundled = yaml.safe_load((rules_dir() / "shipping.yaml").read_text())
    for key, entry in bundled.items():
        if isinstance(entry, dict) and key != "handling_days_by_sku":
            assert entry["source"].startswith("https://") and entry["effective"], key


def test_a_sellers_file_is_laid_over(tmp_path: Path):
    mine = tmp_path / "mine.yaml"
    mine.write_text("handling_days_by_sku:\n  HL-THROW-OAT: 3\nauto_cancel:\n  unit: business\n")
    rules = shipping_rules(mine)
    assert rules.sku_handling_days == {"HL-THROW-OAT": 3}
    assert rules.auto_cancel_business_days and rules.auto_cancel_days == 7


@pytest.mark.parametrize(("content", "key", "says"), [
    ("auto_cancel:\n  unit: weekly\n", "auto_cancel.unit", "'calendar' or 'business'"),
    ("late_shipment_rate:\n  target: 4\n", "late_shipment_rate.target", "less than 1"),
    ("handling_days_by_sku:\n  SKU-1: 45\n", "handling_days_by_sku.SKU-1", "0 to 30"),
    ("media_handling_days:\n  source: http://example.com\n", "media_handling_days.source", "pattern"),
    ("surprise: 1\n", "surprise", "Extra inputs"),
    ("auto_cancel: [\n", "line", "not valid YAML"),
    # PyYAML keeps the last of two equal keys: the first block of SKUs would vanish.
    ("handling_days_by_sku:\n  SKU-1: 3\nhandling_days_by_sku:\n  SKU-2: 5\n", "line 3",
     "'handling_days_by_sku' is given twice"),
    ("auto_cancel:\n  effective: 2026-02-30\n", "line 2", "'2026-02-30' is not a date"),
])
def test_a_bad_file_names_the_key(tmp_path: Path, content, key, says):
    mine = tmp_path / "mine.yaml"
    mine.write_text(content)
    with pytest.raises(ConfigError) as error:
        shipping_rules(mine)
    assert error.value.code == "rules_invalid"
    assert error.value.params["key"].startswith(key)
    assert says in message("errors", error.value.code, **error.value.params)


def test_a_sellers_holiday_window_may_write_its_dates_unquoted(tmp_path: Path):
    # As rules/README.md writes `effective` in the compliance rules: YAML reads it as a date.
    mine = tmp_path / "returns.yaml"
    mine.write_text("holiday_windows:\n  - name: 2026 holiday season\n"
                    "    purchased_from: 2026-10-15\n    purchased_until: 2026-12-31\n"
                    "    return_by: 2027-01-31\n    source: https://example.com/holiday\n"
                    "    effective: 2026-10-15\n    confirmed: true\n")
    assert return_rules(mine).holiday_windows[-1].name == "2026 holiday season"


def test_store_counts_shipments_as_the_domain_does(db):
    # The LSR's SQL (queries.shipment_counts) and its definition (count_shipments) agree.
    now = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
    cases = []
    for n in range(60):
        ship_by = now - timedelta(days=n % 35, hours=n)
        status = [OrderStatus.SHIPPED, OrderStatus.UNSHIPPED, OrderStatus.CANCELED,
                  OrderStatus.PARTIALLY_SHIPPED][n % 4]
        confirmed = (ship_by + timedelta(hours=(n % 7) - 3)) if n % 3 and status is not OrderStatus.UNSHIPPED else None
        cases.append(Order(f"111-{n:07d}-0000000", status=status, latest_ship_date=ship_by,
                           shipped_at=confirmed, fulfillment_channel=Channel.MERCHANT))
    cases.append(Order("111-9999999-0000000", status=OrderStatus.SHIPPED, fulfillment_channel=Channel.AMAZON,
                       latest_ship_date=now - timedelta(days=1), shipped_at=now))
    with db.begin() as conn:
        writer = Writer(conn)
        for order in cases:
            writer.add(order)
        writer.flush()
    merchant = [Shipment(o.latest_ship_date, o.shipped_at, o.status) for o in cases
                if o.fulfillment_channel is Channel.MERCHANT]
    for days in (1, 10, 30):
        start = now - timedelta(days=days)
        with db.begin() as conn:
            stored = queries.shipment_counts(conn, start, now)
        assert stored == count_shipments(merchant, start, now)
    assert stored.late and stored.on_time and stored.unconfirmed and stored.unknown


def test_windows_sharing_an_end_count_as_each_window_alone(db):
    # The digest counts its 10- and 30-day windows as two stretches; an order on a stretch's
    # first or last microsecond, or on a window's edge, must count as the window alone counts it.
    now = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
    starts = [now - timedelta(days=10), now - timedelta(days=30)]
    edges = [now, *starts, starts[0] - timedelta(microseconds=1), starts[1] - timedelta(microseconds=1),
             starts[0] + timedelta(microseconds=1)]
    moments = edges + [now - timedelta(days=n, hours=n) for n in range(34)]
    orders = []
    for n, moment in enumerate(moments):
        confirmed = moment + timedelta(hours=(n % 5) - 2) if n % 3 else None
        # Amazon's ship-by (a sync), or none and no confirmation time (a report's shipped order).
        orders.append(Order(f"111-{n:07d}-0000001", status=OrderStatus.SHIPPED,
                            latest_ship_date=moment, shipped_at=confirmed,
                            fulfillment_channel=Channel.MERCHANT))
        orders.append(Order(f"111-{n:07d}-0000002", status=OrderStatus.SHIPPED, purchase_date=moment,
                            fulfillment_channel=Channel.MERCHANT))
    computed = [Shipment(moment, None, OrderStatus.UNSHIPPED) for moment in edges]
    with db.begin() as conn:
        writer = Writer(conn)
        for order in orders:
            writer.add(order)
        writer.flush()
    with db.begin() as conn:
        together = windows_ending(conn, computed, starts, now)
        alone = [window_counts(conn, computed, start, now) for start in starts]
    assert together == alone
    assert together[0] != together[1] and all(c.late and c.on_time and c.unknown for c in together)


def test_yaml_merge_keys_and_keys_of_two_types_are_not_taken_for_repeats(tmp_path: Path):
    from bot.yaml_files import parse_yaml

    # The ordinary use of `<<`: a mapping merges an anchor and overrides one of its keys, and
    # is itself merged from a shallower one (PyYAML flattens it in place first).
    merged = (b"windows:\n  holiday: &holiday\n    <<: &standard {days: 30, confirmed: true}\n"
              b"    days: 60\nlate_window:\n  <<: *holiday\n")
    assert parse_yaml(merged, tmp_path / "mine.yaml") == yaml.safe_load(merged)
    assert parse_yaml(b"1: one\n'1': the text one\n", tmp_path / "mine.yaml") == {
        1: "one", "1": "the text one"}
    with pytest.raises(ConfigError):  # its own key twice, beside a merge, is still a repeat
        parse_yaml(b"base: &b {days: 30}\nmine:\n  <<: *b\n  days: 60\n  days: 90\n",
                   tmp_path / "mine.yaml")
