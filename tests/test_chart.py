"""The weekly shipping-health chart (issue 21): its series from hand-made orders, held to the
morning digest's own figures; a valid PNG; and the terminal command."""

import io
import json
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.config import load_settings
from bot.domain.records import Channel, Order, OrderItem, OrderStatus
from bot.jobs import charts
from bot.render.blocks import home_view
from bot.render.chart import SIZE_INCHES, chart_png, series
from bot.store.writer import Writer
from bot.usecases.digests import digest
from bot.usecases.shipping_health import RATE_DAYS, WEEKS, shipping_health
from bot.usecases.stamps import stamped
from bot.wiring import seller_of
from tests.test_jobs import CHANNEL, Clock, configure, digests_at, posted

LA = ZoneInfo("America/Los_Angeles")
MONDAY = date(2026, 12, 7)
AS_OF = datetime.combine(MONDAY, time(8, 0), LA)


def at(day: date, hours: float) -> datetime:
    return datetime.combine(day, time(0), LA) + timedelta(hours=hours)


def order(n: int, placed: datetime, *, late_by: float | None = 0.0,
          status: OrderStatus = OrderStatus.SHIPPED) -> list:
    """An order with Amazon's ship-by two days after it was placed, confirmed `late_by` hours
    after the ship-by (negative: early), or never (None)."""
    ship_by = placed + timedelta(days=2)
    shipped = None if late_by is None else ship_by + timedelta(hours=late_by)
    order_id = f"111-{n:07d}-0000001"
    return [Order(order_id, purchase_date=placed, last_update=placed, status=status,
                  fulfillment_channel=Channel.MERCHANT, marketplace_id="ATVPDKIKX0DER",
                  latest_ship_date=ship_by, earliest_ship_date=placed, shipped_at=shipped,
                  currency="USD", order_total=Decimal("10.00")),
            OrderItem(order_id, f"SKU-{n}", title="Mug", quantity_ordered=1,
                      quantity_shipped=1 if shipped else 0, item_price=Decimal("10.00"))]


def hand_made() -> list:
    """Eleven weeks of orders: two a day on weekdays, none at weekends (zero, not a gap); one
    shipped late every Wednesday, one cancelled each Friday, and one still unconfirmed."""
    records, n = [], 0
    day = MONDAY - timedelta(days=77)
    while day < MONDAY:
        if day.weekday() < 5:
            for hour in (9.5, 15.25):
                n += 1
                late = 5.0 if day.weekday() == 2 and hour == 9.5 else -20.0
                records += order(n, at(day, hour), late_by=late)
            if day.weekday() == 4:
                n += 1
                records += order(n, at(day, 11), late_by=None, status=OrderStatus.CANCELED)
        day += timedelta(days=1)
    n += 1  # placed Thursday, due Saturday, never confirmed
    records += order(n, at(MONDAY - timedelta(days=4), 10), late_by=None,
                     status=OrderStatus.UNSHIPPED)
    return records


@pytest.fixture
def filled(db):
    settings = load_settings(database_url=db.url, seller_timezone="America/Los_Angeles")
    seller = seller_of(settings)
    with db.begin_bulk() as conn:
        writer = Writer(conn)
        for record in stamped(hand_made(), seller):
            writer.add(record)
        writer.flush()
    return db, seller


def rate_of(report):
    return next(r for r in report.shipment_rates if r.days == RATE_DAYS)


def test_the_series_are_the_digests_own_figures(filled):
    db, seller = filled
    health = shipping_health(db, seller, AS_OF)
    data = series(health)
    assert len(data.days) == 56 and data.days[-1] == MONDAY and data.days[0].weekday() == 1
    # Today's rate is the digest's, to the order.
    now = rate_of(digest(db, seller, AS_OF))
    assert (health.current.late, health.current.orders) == (now.late, now.orders)
    assert data.rate[-1] == pytest.approx(now.rate * 100)
    # Each earlier day's is the digest's at that day's end; its orders the digest's new ones.
    for back in (1, 9, 30, 55):
        day = MONDAY - timedelta(days=back)
        end = datetime.combine(day + timedelta(days=1), time(0), LA) - timedelta(microseconds=1)
        then = digest(db, seller, end, since=datetime.combine(day, time(0), LA)
                      - timedelta(microseconds=1))
        shown = health.days[-1 - back]
        assert (shown.rate.late, shown.rate.orders) == (rate_of(then).late, rate_of(then).orders)
        assert shown.orders == then.new_orders
    # Weekends: zero orders, drawn as zero; weekdays two (Friday's cancelled one left out,
    # Thursday's unconfirmed one in).
    assert [data.orders[n] for n in range(-8, -1)] == [2, 2, 2, 3, 2, 0, 0]
    # A late shipment shows on the day its ship-by fell: Fridays (Wednesday's + 2 days),
    # and Saturday's unconfirmed one.
    late_days = {d.day for d in health.days if d.late}
    assert all(day.weekday() == 4 for day in late_days - {MONDAY - timedelta(days=2)})
    assert MONDAY - timedelta(days=2) in late_days
    assert data.too_few == []


def test_weeks_with_too_few_orders_say_so(db):
    settings = load_settings(database_url=db.url, seller_timezone="America/Los_Angeles")
    seller = seller_of(settings)
    with db.begin_bulk() as conn:
        writer = Writer(conn)
        for record in stamped(order(1, at(MONDAY - timedelta(days=3), 9), late_by=1.0),
                              seller):
            writer.add(record)
        writer.flush()
    health = shipping_health(db, seller, AS_OF)
    data = series(health)
    assert data.rate == [None] * 56  # one order: no rate is drawn anywhere
    assert len(data.too_few) == 8
    assert sum(data.orders) == 1 and sum(data.late) == 1


@pytest.mark.parametrize("zone", ["America/New_York", "Pacific/Honolulu"])
def test_a_late_order_shows_on_the_day_the_digest_said_it_was_due(db, zone):
    # Amazon's ship-by is the end of Monday 30 November, Pacific: Tuesday 02:59 in New York,
    # Monday 21:59 in Honolulu. The digest lists it as due Monday in both (promise_day); so
    # does the chart, whose weeks would otherwise differ from the digest's on a week's last day.
    settings = load_settings(database_url=db.url, seller_timezone=zone)
    seller = seller_of(settings)
    ship_by = datetime(2026, 12, 1, 7, 59, 59, tzinfo=ZoneInfo("UTC"))
    unconfirmed = order(1, ship_by - timedelta(days=2), late_by=None,
                        status=OrderStatus.UNSHIPPED)
    with db.begin_bulk() as conn:
        writer = Writer(conn)
        for record in stamped(unconfirmed, seller):
            writer.add(record)
        writer.flush()
    monday_noon = datetime(2026, 11, 30, 12, 0, tzinfo=ZoneInfo(zone))
    assert [s.order.order_id for s in digest(db, seller, monday_noon).due_today] == [
        unconfirmed[0].order_id]
    health = shipping_health(db, seller, datetime(2026, 12, 7, 8, 0, tzinfo=ZoneInfo(zone)))
    assert [d.day for d in health.days if d.late] == [date(2026, 11, 30)]


def test_a_confirmation_after_the_ship_by_is_late_whatever_ship_date_it_gives(db):
    from bot.usecases import shipments

    class Amazon:  # confirmShipment's 204
        def confirm_shipment(self, order_id, detail):
            self.sent = detail

    # Due by the end of Sunday; the parcel left on Sunday, but the confirmation reached
    # Amazon on Monday: late (shipping.md §4: judged by the confirmation time, not the ship
    # date typed in). Twenty-five others on time, for the rate to be told.
    settings = load_settings(database_url=db.url, seller_timezone="America/Los_Angeles")
    seller = seller_of(settings)
    sunday = MONDAY - timedelta(days=1)
    records = [record for n in range(25)
               for record in order(n + 100, at(sunday, 12) - timedelta(days=2), late_by=-3.0)]
    records += order(1, at(sunday, 24) - timedelta(seconds=1) - timedelta(days=2), late_by=None,
                     status=OrderStatus.UNSHIPPED)
    records[-1].order_item_id = "11111111111111"
    with db.begin_bulk() as conn:
        writer = Writer(conn)
        for record in stamped(records, seller):
            writer.add(record)
        writer.flush()
    amazon = Amazon()
    shipments.confirm(db, amazon, seller, records[-2].order_id,
                      shipments.Package("UPS", "1Z999AA10123456784", sunday), now=AS_OF)
    assert amazon.sent["shipDate"].startswith(sunday.isoformat())  # the day it left
    assert (rate_of(digest(db, seller, AS_OF)).late, rate_of(digest(db, seller, AS_OF)).orders
            ) == (1, 26)
    assert [d.day for d in shipping_health(db, seller, AS_OF).days if d.late] == [sunday]


def test_the_chart_is_a_png_of_its_size(filled):
    db, seller = filled
    png = chart_png(shipping_health(db, seller, AS_OF))
    image = Image.open(io.BytesIO(png))
    image.verify()
    assert image.format == "PNG"
    assert image.size == (SIZE_INCHES[0] * 100, SIZE_INCHES[1] * 100)


@pytest.mark.parametrize("orders", ["none", "few"])
def test_the_orders_axis_counts_whole_orders_from_none(db, monkeypatch, orders):
    from matplotlib.figure import Figure

    # A new seller's first chart: the axis ran from -0.04 to 0.04, or in halves of an order.
    seller = seller_of(load_settings(database_url=db.url))
    if orders == "few":
        with db.begin() as conn:
            writer = Writer(conn)
            for record in stamped(hand_made()[-8:], seller):
                writer.add(record)
            writer.flush()
    drawn = []
    save = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: (drawn.append(self),
                                                                   save(self, *a, **k))[1])
    chart_png(shipping_health(db, seller, AS_OF))
    counts = drawn[0].axes[0]
    low, high = counts.get_ylim()
    assert low == 0 and high >= 1
    assert all(float(t).is_integer() for t in counts.get_yticks() if low <= t <= high)


def test_sellerbot_chart_writes_the_png_and_says_the_rate(cli, tmp_path, settings):
    cli("demo")
    out = tmp_path / "week.png"
    made = cli("chart", "--out", str(out))
    assert made.returncode == 0, made.stderr
    assert Image.open(out).format == "PNG"
    assert "Late Shipment Rate now" in made.stderr
    assert f"the last {WEEKS} weeks" in made.stderr
    bad = cli("chart", "--out", str(tmp_path / "missing" / "week.png"))
    assert bad.returncode != 0 and "cannot write it" in bad.stderr
    svg = cli("chart", "--out", str(tmp_path / "week.svg"))  # a PNG under an SVG's name
    assert svg.returncode == 2 and "give a file name that ends in .png" in svg.stderr
    assert not (tmp_path / "week.svg").exists()


def test_the_plotting_library_loads_only_for_a_chart():
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, bot.cli, bot.app, bot.jobs, bot.slack; "
         "print('matplotlib' in sys.modules)"], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False"


def uploads_in_thread(slack, ts: str) -> list[dict]:
    return [m for m in slack.threads.get((CHANNEL, ts), []) if m.get("files")]


def test_the_monday_digest_carries_the_chart_once(filled, slack):
    db, seller = filled
    settings = configure(db, slack, seller_timezone="America/Los_Angeles")
    clock = Clock(AS_OF)
    first = digests_at(settings, db, clock).run(settings.digests[0])
    assert (first.status, first.chart) == ("posted", "posted")
    charts = uploads_in_thread(slack, first.ts)
    assert [f["name"] for f in charts[0]["files"]] == ["shipping-health-2026-12-07.png"]
    # Its title says how many weeks it draws, as the chart has them.
    weeks = len(shipping_health(db, seller, AS_OF).weeks())
    assert charts[0]["files"][0]["title"] == f"Shipping health, the {weeks} weeks to Mon 07 Dec 2026"
    png = slack.uploads[charts[0]["files"][0]["id"]]
    assert Image.open(io.BytesIO(png)).format == "PNG"
    clock.now += timedelta(minutes=30)  # another process, the watch: nothing more
    again = digests_at(settings, db, clock).catch_up(retry_failed_after=timedelta(0))
    assert [(o.status, o.chart) for o in again] == [("skipped", "skipped")]
    assert len(posted(slack)) == 1 and len(uploads_in_thread(slack, first.ts)) == 1


def test_no_chart_on_other_days(filled, slack):
    db, _seller = filled
    settings = configure(db, slack, seller_timezone="America/Los_Angeles")
    tuesday = digests_at(settings, db, Clock(AS_OF + timedelta(days=1))).run(
        settings.digests[0])
    assert (tuesday.status, tuesday.chart) == ("posted", None)
    assert slack.called("files.getUploadURLExternal") == []


def test_the_chart_goes_with_mondays_digest_not_with_sundays_fired_late(filled, slack):
    # A Sunday 23:30 digest fired 50 minutes late is still Sunday's (LATE_FIRE): it took the
    # week's chart from the clock's Monday, and Monday's own digest then had none.
    db, _seller = filled
    settings = configure(db, slack, digest_channel=f"{CHANNEL}@23:30",
                         seller_timezone="America/Los_Angeles")
    schedule = settings.digests[0]
    monday = date(2026, 12, 7)
    clock = Clock(datetime.combine(monday, time(0, 20), LA))
    sunday_run = digests_at(settings, db, clock).run(schedule)
    clock.now = datetime.combine(monday, time(23, 30), LA)
    monday_run = digests_at(settings, db, clock).run(schedule)
    assert (sunday_run.status, sunday_run.chart) == ("posted", None)
    assert (monday_run.status, monday_run.chart) == ("posted", "posted")


def test_a_failed_upload_is_retried_without_posting_the_digest_twice(filled, slack):
    db, _seller = filled
    settings = configure(db, slack, seller_timezone="America/Los_Angeles")
    clock = Clock(AS_OF)
    slack.fail("files.completeUploadExternal", 200, "channel_not_found")
    first = digests_at(settings, db, clock).run(settings.digests[0])
    assert (first.status, first.chart) == ("posted", "failed")
    assert uploads_in_thread(slack, first.ts) == []
    clock.now += timedelta(minutes=25)  # the watch, with Slack working again
    again = digests_at(settings, db, clock).catch_up(retry_failed_after=timedelta(minutes=20))
    assert [(o.status, o.chart) for o in again] == [("skipped", "posted")]
    assert len(posted(slack)) == 1 and len(uploads_in_thread(slack, first.ts)) == 1


def test_a_chart_that_cannot_be_drawn_stops_no_digest(filled, slack, monkeypatch, caplog):
    db, _seller = filled
    settings = configure(db, slack, seller_timezone="America/Los_Angeles")

    def broken(_health):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(charts, "chart_png", broken)
    outcomes = digests_at(settings, db, Clock(AS_OF)).catch_up()
    assert [(o.status, o.chart) for o in outcomes] == [("posted", "failed")]
    assert len(posted(slack)) == 1 and "the weekly chart could not be made" in caplog.text


def test_a_chart_whose_answer_was_lost_is_looked_for_not_posted_twice(filled, slack):
    db, _seller = filled
    settings = configure(db, slack, seller_timezone="America/Los_Angeles")
    clock = Clock(AS_OF)
    slack.drop("files.completeUploadExternal", done=True)  # shared; the answer lost
    first = digests_at(settings, db, clock).run(settings.digests[0])
    assert (first.status, first.chart) == ("posted", "failed")
    assert len(uploads_in_thread(slack, first.ts)) == 1
    clock.now += timedelta(minutes=25)  # the claim is stale: taken over, the thread read
    again = digests_at(settings, db, clock).catch_up(retry_failed_after=timedelta(minutes=20))
    assert [(o.status, o.chart) for o in again] == [("skipped", "posted")]
    assert len(uploads_in_thread(slack, first.ts)) == 1


def test_app_home_shows_the_same_figures_as_a_weekly_trend(filled):
    db, seller = filled
    health = shipping_health(db, seller, AS_OF)
    shown = json.dumps(home_view(digest(db, seller, AS_OF), seller, [], health),
                       ensure_ascii=False)
    weekly = " · ".join(str(sum(d.orders for d in week)) for week in health.weeks())
    assert f"Orders a week: {weekly}" in shown
    rates = [w[-1].rate for w in health.weeks()]
    assert f"{rates[-1].rate * 100:.1f}%" in shown.split("Late Shipment Rate at each")[1]
