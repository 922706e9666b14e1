"""Confirm shipment: once per order, Amazon's refusals shown as Amazon words them, against the
local amazon SP-API with the real client (tests/fake_sp_api.py)."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from bot import wiring
from bot.errors import BadInput, NotFound, SellerbotError
from bot.sources.sp_api import OrdersApi
from bot.store import queries
from bot.usecases import shipments
from tests.test_sync import real_now, sync

ORDER = "121-0000000-0000001"


def add_two_line_order(amazon, order_id: str, **when) -> None:
    """An unshipped order with two lines, one of quantity 2. The fixtures' only two-line order
    (#28, sample 3) has one line of each and, being PartiallyShipped there, one line shipped:
    here nothing is shipped yet and its second line (the DVD) is ordered twice."""
    amazon.add_order(order_id, sample=3, **when)
    first, second = amazon.orders[order_id].items
    assert (first["SellerSKU"], second["SellerSKU"]) == ("TIDEPOOLS-2E-UVG", "DVD-NRIVERS-CS")
    for item in (first, second):
        item["QuantityShipped"] = 0
    second["QuantityOrdered"] = 2
    second["ItemPrice"]["Amount"] = "69.98"  # the line total, 2 x 34.99


@pytest.fixture
def synced(db, amazon, live):
    """An unshipped order with two lines (one of quantity 2), synced from the amazon."""
    now = real_now()
    add_two_line_order(amazon, ORDER, created=now - timedelta(days=1))
    settings = live()
    sync(db, settings, now=now - timedelta(minutes=10))
    return settings




def confirm(db, settings, **changes):
    seller = wiring.seller_of(settings)
    today = datetime.now(UTC).astimezone(seller.timezone).date()
    parcel = shipments.Package(**({"carrier": "UPS", "tracking": "1Z999AA10123456784",
                                   "ship_date": today} | changes))
    return shipments.confirm(db, OrdersApi(settings, sleep=lambda _s: None), seller, ORDER, parcel,
                             now=datetime.now(UTC))


def stored_order(db):
    with db.begin() as conn:
        return queries.get_order(conn, ORDER)


def test_a_confirmation_reaches_amazon_once_and_marks_the_order_shipped(db, amazon, synced):
    done = confirm(db, synced)
    assert (done.already, done.items) == (False, 3)
    body = amazon.orders[ORDER].confirmations[0]
    detail = body["packageDetail"]
    assert body["marketplaceId"] == "ATVPDKIKX0DER"
    assert (detail["carrierCode"], detail["trackingNumber"], detail["packageReferenceId"]) == (
        "UPS", "1Z999AA10123456784", "1")
    assert sorted(i["quantity"] for i in detail["orderItems"]) == [1, 2]
    assert datetime.fromisoformat(detail["shipDate"].replace("Z", "+00:00")) <= datetime.now(UTC)
    order = stored_order(db)
    assert order.status == "Shipped" and order.shipped_at == done.shipped_at
    assert all(i.quantity_shipped == i.quantity_ordered for i in order.items)
    again = confirm(db, synced, tracking="SOMETHINGELSE1")
    assert again.already and again.tracking == "1Z999AA10123456784"
    assert len(amazon.orders[ORDER].confirmations) == 1


def test_a_double_click_confirms_once(db, amazon, synced):
    results, errors = [], []

    def click():
        try:
            results.append(confirm(db, synced))
        except BadInput as exc:
            errors.append(exc.code)

    clicks = [threading.Thread(target=click) for _ in range(4)]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join()
    assert len(amazon.orders[ORDER].confirmations) == 1
    assert [r.already for r in results].count(False) == 1
    assert set(errors) <= {"confirm_in_progress"} and len(results) + len(errors) == 4


def test_amazons_refusal_is_shown_in_its_words_and_nothing_is_marked(db, amazon, synced):
    amazon.fail(f"/orders/v0/orders/{ORDER}/shipmentConfirmation", 400, body={"errors": [{
        "code": "InvalidInput", "message": "Invalid tracking number for carrier UPS"}]})
    with pytest.raises(SellerbotError) as refused:
        confirm(db, synced)
    assert refused.value.code == "confirm_refused"
    assert refused.value.params["message"] == "Invalid tracking number for carrier UPS"
    assert stored_order(db).status == "Unshipped"
    # Corrected, it goes through: a refused confirmation does not block the next one.
    assert confirm(db, synced).already is False
    assert len(amazon.orders[ORDER].confirmations) == 1


def test_a_corrected_confirmation_under_way_is_not_sent_again_by_a_second_click(db, live):
    from bot.domain.records import Channel, Order, OrderItem, OrderStatus
    from bot.errors import SpApiFailed
    from bot.store.writer import Writer

    # Amazon refused the first try; the corrected one was taken for a stale claim by a click
    # a second later (its age ran from the refusal), and Amazon got it twice.
    seller, refused_at = wiring.seller_of(live()), datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    with db.begin() as conn:
        writer = Writer(conn)
        writer.add(Order(ORDER, purchase_date=refused_at - timedelta(days=1),
                         status=OrderStatus.UNSHIPPED, fulfillment_channel=Channel.MERCHANT))
        writer.add(OrderItem(ORDER, "SKU-1", order_item_id="11111111111111",
                             quantity_ordered=1, quantity_shipped=0))
        writer.flush()
    parcel = shipments.Package("UPS", "1Z999AA10123456784", refused_at.date())

    class Refuses:
        def confirm_shipment(self, order_id, detail):
            raise SpApiFailed(status=400, error="InvalidInput", message="bad tracking")

    with pytest.raises(SellerbotError):
        shipments.confirm(db, Refuses(), seller, ORDER, parcel, now=refused_at)
    sent, second = [], []
    retried_at = refused_at + timedelta(minutes=20)

    class Takes:
        def confirm_shipment(self, order_id, detail):
            sent.append(order_id)
            if len(sent) == 1:  # a teammate's click while Amazon answers the first
                try:
                    second.append(shipments.confirm(db, Takes(), seller, ORDER, parcel,
                                                    now=retried_at + timedelta(seconds=1)))
                except BadInput as exc:
                    second.append(exc.code)

    shipments.confirm(db, Takes(), seller, ORDER, parcel, now=retried_at)
    assert sent == [ORDER] and second == ["confirm_in_progress"]


def test_what_is_typed_is_checked_before_amazon_is_asked(db, amazon, synced):
    today = date.today()
    for typed, code in [
        (("Pigeon", "1Z9", None, None), "carrier_unknown"),
        (("other", "1Z9", None, None), "carrier_name_missing"),
        (("UPS", "  ", None, None), "tracking_malformed"),
        (("UPS", "1Z9<!channel>", None, None), "tracking_malformed"),
        (("UPS", "1Z9", "tomorrow", None), "ship_date_malformed"),
    ]:
        with pytest.raises(BadInput) as bad:
            shipments.package_from(*typed, None, today=today)
        assert bad.value.code == code
    parcel = shipments.package_from("other", " 123 456 ", None, "Speedy Couriers", None,
                                    today=today)
    assert (parcel.carrier, parcel.tracking, parcel.carrier_name) == ("Other", "123456",
                                                                      "Speedy Couriers")
    with pytest.raises(BadInput) as future:
        confirm(db, synced, ship_date=date.today() + timedelta(days=3))
    assert future.value.code == "ship_date_future"
    with pytest.raises(NotFound):
        seller = wiring.seller_of(synced)
        shipments.confirm(db, OrdersApi(synced), seller, "999-9999999-9999999",
                          shipments.Package("UPS", "1Z9", date.today()), now=datetime.now(UTC))
    assert amazon.called("/orders/v0/orders/") == []  # nothing reached Amazon


def test_sellerbot_confirm_in_the_terminal(amazon, tmp_path):
    from tests.test_cli import sellerbot

    add_two_line_order(amazon, ORDER, created=real_now() - timedelta(days=1))
    env = {"LWA_APP_ID": "amzn1.application-oa2-client.test", "LWA_CLIENT_SECRET": "x",
           "SP_API_REFRESH_TOKEN": "Atzr|test", "SP_API_ENDPOINT": amazon.url,
           "LWA_TOKEN_URL": amazon.token_url}
    assert sellerbot("sync", cwd=tmp_path, env=env).returncode == 0
    done = sellerbot("confirm", "121-0000000", "--carrier", "ups", "--tracking", "1Z999AA10123456784",
                     cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Confirmed to Amazon: order {ORDER} shipped ")
    assert "with UPS, tracking 1Z999AA10123456784 (3 items)" in done.stdout
    again = sellerbot("confirm", ORDER, "--carrier", "UPS", "--tracking", "1Z1", cwd=tmp_path,
                      env=env)
    assert again.returncode == 0 and "already confirmed" in again.stdout
    bad = sellerbot("confirm", ORDER, "--carrier", "Pigeon", "--tracking", "1", cwd=tmp_path,
                    env=env)
    assert bad.returncode == 2 and "'Pigeon' is not a carrier code" in bad.stderr
    assert len(amazon.orders[ORDER].confirmations) == 1


def test_a_gateway_error_page_is_no_confirmation(db, amazon, synced):
    path = f"/orders/v0/orders/{ORDER}/shipmentConfirmation"
    amazon.fail(path, 502, times=4, body=b"<html>502 Bad Gateway</html>")
    with pytest.raises(SellerbotError) as refused:
        confirm(db, synced)
    assert (refused.value.code, refused.value.params["status"]) == ("confirm_refused", 502)
    assert stored_order(db).status == "Unshipped" and amazon.orders[ORDER].confirmations == []
    assert confirm(db, synced).already is False  # and it can be confirmed after


def test_a_past_ship_date_is_noon_local_sent_in_utc(db, amazon, synced):
    seller = wiring.seller_of(synced)
    yesterday = datetime.now(UTC).astimezone(seller.timezone).date() - timedelta(days=1)
    confirm(db, synced, ship_date=yesterday)
    sent = amazon.orders[ORDER].confirmations[0]["packageDetail"]["shipDate"]
    noon = datetime.fromisoformat(sent.replace("Z", "+00:00")).astimezone(seller.timezone)
    assert (noon.date(), noon.hour, noon.minute) == (yesterday, 12, 0)


def test_a_long_tracking_number_is_never_shown_cut(db, amazon, synced):
    long = "9" * 34  # a USPS tracking number can be this long
    confirm(db, synced, carrier="USPS", tracking=long)
    again = confirm(db, synced, carrier="USPS", tracking=long)
    assert again.already and again.carrier == "USPS" and again.tracking in ("", long)
