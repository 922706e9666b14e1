"""Orders from the Selling Partner API: the real python-amazon-sp-api client against the local
amazon (tests/fake_sp_api.py), syncing into SQLite and PostgreSQL."""

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot import render, wiring
from bot.errors import SellerbotError
from bot.render import blocks as render_blocks
from bot.sources.sp_api import INCLUDED_DATA, OrdersApi, SpApiFailed
from bot.store import Database, job_runs, sync_state
from bot.usecases import digests, syncs
from tests.conftest import stored

API = "/orders/2026-01-01/orders"
# Amazon's invented buyer and recipient in the model's example (tests/fixtures/sp-api-v2026).
PII = ("John Smith", "buyer-email@marketplace.amazon.com", "555-123-4567", "123 Main Street",
       "Smith Industries", "Happy Holidays", "PO-2024-12345", "98101")


class Clock:
    """Waits recorded instead of slept: the rate-limit logic runs, the test does not wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def sync(db, settings, *, now=None, clock=None, since=None):
    api = OrdersApi(settings, sleep=clock or Clock())
    return syncs.sync(db, api, wiring.seller_of(settings), settings.sync_first_days, now=now or datetime.now(UTC), since=since)


def real_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def test_the_first_sync_stores_recent_orders_with_their_lines_and_no_buyer_data(db, amazon, live):
    now = real_now()
    for number in range(3):
        amazon.add_order(f"111-000000{number}-0000001", created=now - timedelta(days=number + 1),
                       sample=number)
    amazon.add_order("111-9999999-0000001", created=now - timedelta(days=45))  # before the reach
    result = sync(db, live())
    assert (result.first, result.orders, result.new_orders, result.pages) == (True, 3, 3, 1)
    rows = stored(db)
    assert sorted(r["order_id"] for r in rows["orders"]) == [
        "111-0000000-0000001", "111-0000001-0000001", "111-0000002-0000001"]
    assert len(rows["order_items"]) == result.items >= 3
    assert all(r["fulfillment_channel"] == "MFN" and r["latest_ship_date"] for r in rows["orders"])
    everything = json.dumps(rows, default=str)
    assert not [p for p in PII if p in everything]
    search = amazon.called(API)[0].query
    assert "createdAfter" in search and "lastUpdatedAfter" not in search
    assert search["fulfilledBy"] == "MERCHANT" and search["marketplaceIds"] == "ATVPDKIKX0DER"
    state = sync_state.get(db, "ATVPDKIKX0DER")
    assert state.watermark == result.before and state.last_success_at is not None


def test_nothing_restricted_is_asked_for(db, amazon, live):
    now = real_now()
    amazon.add_order("111-0000000-0000002", created=now - timedelta(hours=5))
    sync(db, live())
    sync(db, live(orders_api_version="v0"), now=datetime.now(UTC))
    paths = [r.path for r in amazon.requests]
    assert not [p for p in paths if any(word in p.lower() for word in (
        "buyerinfo", "address", "/tokens/", "regulatedinfo"))]
    for request in amazon.requests:
        assert "RestrictedResources" not in json.dumps(request.body or {})
        asked = request.query.get("includedData", "")
        assert set(filter(None, asked.split(","))) <= set(INCLUDED_DATA)
        assert "BUYER" not in asked and "RECIPIENT" not in asked


@pytest.mark.parametrize("version", ["2026-01-01", "v0"])
def test_an_incremental_sync_picks_up_a_status_change(db, amazon, live, version):
    now = real_now()
    amazon.add_order("112-0000000-0000003", created=now - timedelta(days=2))
    amazon.add_order("112-0000000-0000004", created=now - timedelta(days=2))
    settings = live(orders_api_version=version)
    sync(db, settings, now=now - timedelta(hours=1))
    amazon.update("112-0000000-0000003", status="Shipped", at=now - timedelta(minutes=30))
    second = sync(db, settings, now=now)
    assert (second.first, second.orders, second.new_orders) == (False, 1, 0)
    statuses = {r["order_id"]: r["status"] for r in stored(db)["orders"]}
    assert statuses == {"112-0000000-0000003": "Shipped", "112-0000000-0000004": "Unshipped"}
    key = "lastUpdatedAfter" if version != "v0" else "LastUpdatedAfter"
    last = [r for r in amazon.requests if key in r.query][-1].query
    assert last[key] == (now - timedelta(hours=1) - syncs.LAG).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("version", ["2026-01-01", "v0"])
def test_every_page_is_read(db, amazon, live, version):
    now = real_now()
    for number in range(250):
        amazon.add_order(f"113-{number:07d}-0000005", created=now - timedelta(hours=number % 48 + 1),
                       sample=number)
    result = sync(db, live(orders_api_version=version))
    assert (result.pages, result.orders, result.new_orders) == (3, 250, 250)
    assert len(stored(db)["orders"]) == 250
    again = sync(db, live(orders_api_version=version), now=datetime.now(UTC))
    assert (again.orders, again.new_orders) == (0, 0)


def test_a_429_is_waited_out_as_its_rate_limit_says_then_the_sync_goes_on(db, amazon, live):
    now = real_now()
    amazon.add_order("114-0000000-0000006", created=now - timedelta(hours=3))
    amazon.fail(API, 429, times=2, headers={"x-amzn-RateLimit-Limit": "4"})
    clock = Clock()
    result = sync(db, live(), clock=clock)
    # One request's worth of 4 requests a second, then double.
    assert clock.waits == [0.25, 0.5]
    assert result.orders == 1 and result.calls.throttled == 2
    assert [r.status for r in amazon.called(API)] == [429, 429, 200]


def test_server_errors_are_retried_with_backoff(db, amazon, live):
    amazon.add_order("114-0000000-0000007", created=real_now() - timedelta(hours=3))
    amazon.fail(API, 500, times=2)
    clock = Clock()
    assert sync(db, live(), clock=clock).orders == 1
    assert clock.waits == [2.0, 4.0]


def test_an_expired_access_token_is_refreshed_once(db, amazon, live):
    now = real_now()
    amazon.add_order("115-0000000-0000008", created=now - timedelta(days=1))
    settings = live()
    sync(db, settings, now=now - timedelta(hours=1))
    assert len(amazon.called("/auth/o2/token")) == 1
    amazon.expire_tokens()
    amazon.update("115-0000000-0000008", status="Shipped", at=now - timedelta(minutes=20))
    result = sync(db, settings, now=now)
    assert result.orders == 1
    assert len(amazon.called("/auth/o2/token")) == 2
    assert [r.status for r in amazon.called(API)][-2:] == [403, 200]
    form = amazon.called("/auth/o2/token")[-1].body
    assert (form["grant_type"], form["refresh_token"], form["client_id"]) == (
        "refresh_token", "Atzr|test", "amzn1.application-oa2-client.test")


def test_a_refused_sync_keeps_its_cursor_and_reports_after_an_hour(db, amazon, live):
    now = real_now()
    amazon.add_order("116-0000000-0000009", created=now - timedelta(days=1))
    settings = live()
    first = sync(db, settings, now=now - timedelta(hours=3))
    amazon.fail(API, 400, times=2, body={"errors": [{"code": "InvalidInput",
                                                   "message": "Invalid lastUpdatedAfter"}]})
    for minutes in (120, 50):
        with pytest.raises(SpApiFailed) as failed:
            sync(db, settings, now=now - timedelta(minutes=minutes))
        assert failed.value.params == {"status": 400, "error": "InvalidInput",
                                       "message": "Invalid lastUpdatedAfter"}
    state = sync_state.get(db, "ATVPDKIKX0DER")
    assert state.watermark == first.before  # nothing skipped
    assert state.failing_since == now - timedelta(minutes=120)
    seller = wiring.seller_of(settings)
    # Under an hour: the digest says when data last came, not yet that sync fails.
    early = digests.digest(db, seller, now - timedelta(minutes=61))
    assert early.sync.failing_since is None and early.last_data == now - timedelta(hours=3)
    text = render.text("digest", digest=early, seller=seller)
    assert "Last synced with Amazon" in text and "failed" not in text
    late = digests.digest(db, seller, now - timedelta(minutes=50))
    assert (late.sync.failing_since, late.sync.error) == (now - timedelta(minutes=120),
                                                          "400 InvalidInput")
    assert "syncing orders from Amazon has failed since" in render.text(
        "digest", digest=late, seller=seller)
    message = json.dumps(render_blocks.digest_message(late, seller))
    assert "Syncing orders from Amazon has failed since" in message
    home = json.dumps(render_blocks.home_view(late, seller))
    assert "Syncing orders from Amazon has failed since" in home and "400 InvalidInput" in home
    amazon.update("116-0000000-0000009", status="Shipped", at=now - timedelta(minutes=10))
    assert sync(db, settings, now=now).orders == 1
    assert digests.digest(db, seller, now).sync.failing_since is None


def test_a_bad_refresh_token_says_what_to_check(db, amazon, live):
    amazon.fail("/auth/o2/token", 400, body={"error": "invalid_grant",
                                           "error_description": "The refresh token is invalid"})
    with pytest.raises(SpApiFailed) as failed:
        sync(db, live())
    assert failed.value.params["status"] == 400 and failed.value.params["error"] == "invalid_grant"


def test_sellerbot_sync_in_the_terminal(amazon, tmp_path):
    from tests.test_cli import sellerbot

    now = real_now()
    amazon.add_order("117-0000000-0000010", created=now - timedelta(days=3))
    env = {"LWA_APP_ID": "amzn1.application-oa2-client.test", "LWA_CLIENT_SECRET": "x",
           "SP_API_REFRESH_TOKEN": "Atzr|test", "SP_API_ENDPOINT": amazon.url,
           "LWA_TOKEN_URL": amazon.token_url}
    done = sellerbot("sync", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("First sync with Amazon up to ")
    assert "1 order (1 new)" in done.stdout
    bad = sellerbot("sync", "--since", "yesterday", cwd=tmp_path, env=env)
    assert bad.returncode == 2 and "--since 'yesterday' is not a date" in bad.stderr
    amazon.fail(API, 403, body={"errors": [{"code": "Unauthorized",
                                          "message": "Access to requested resource is denied."}]})
    refused = sellerbot("sync", cwd=tmp_path, env=env)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "answered 403 Unauthorized" in refused.stderr and "SP_API_REFRESH_TOKEN" in refused.stderr
    unset = sellerbot("sync", cwd=tmp_path, env=dict.fromkeys(env, ""))
    # A setting, not a failure: exit 2, as every missing setting.
    assert unset.returncode == 2 and "are not set: sellerbot needs them" in unset.stderr
    # Busy, not broken: another process's sync is running. A script (cron) can tell the two
    # apart by the exit status: 75, EX_TEMPFAIL, "try again later".
    db = Database(f"sqlite:///{tmp_path / 'cli.db'}")  # tests.test_cli.sellerbot's
    job_runs.claim(db, "sync:ATVPDKIKX0DER", syncs.RUNNING, "serve:42", now,
                   stale_after=syncs.STALE_SYNC)
    asked = len(amazon.called(API))
    busy = sellerbot("sync", cwd=tmp_path, env=env)
    assert busy.returncode == 75, busy.stderr
    assert len(amazon.called(API)) == asked
    assert "another sync of these orders is running (serve:42" in busy.stderr


def test_serve_syncs_every_interval_and_a_failure_is_logged_not_raised(db, amazon, live, caplog):
    from bot import jobs

    settings = live(sync_interval_minutes=7)
    schedule = jobs.scheduler(settings, db, lambda _schedule: None)
    job = schedule.get_job("sp-api-sync")
    assert job.trigger.interval == timedelta(minutes=7)
    assert jobs.scheduler(live(lwa_app_id=None), db, lambda _s: None).get_job("sp-api-sync") is None
    runner = jobs.Syncs(settings, db)
    now = real_now()
    amazon.add_order("118-0000000-0000011", created=now - timedelta(hours=2))
    runner.run()
    assert [r["order_id"] for r in stored(db)["orders"]] == ["118-0000000-0000011"]
    amazon.fail(API, 400, body={"errors": [{"code": "InvalidInput", "message": "no"}]})
    runner.run()  # logged, recorded, not raised: the next run tries again
    assert "Amazon's Selling Partner API answered 400 InvalidInput" in caplog.text
    assert sync_state.get(db, "ATVPDKIKX0DER").last_error == "400 InvalidInput"


@pytest.mark.parametrize("answer", [b"<html><body>502 Bad Gateway</body></html>",
                                    {"message": "Service Unavailable"}])
def test_an_error_page_without_amazons_error_list_is_a_failure_not_an_empty_page(
        db, amazon, live, answer):
    now = real_now()
    amazon.add_order("119-0000000-0000012", created=now - timedelta(days=1))
    settings = live()
    first = sync(db, settings, now=now - timedelta(hours=2))
    amazon.update("119-0000000-0000012", status="Shipped", at=now - timedelta(minutes=30))
    # One more than the retries a server error gets.
    amazon.fail(API, 502, times=4, body=answer)
    with pytest.raises(SpApiFailed) as failed:
        sync(db, settings, now=now)
    assert failed.value.params["status"] == 502
    assert sync_state.get(db, "ATVPDKIKX0DER").watermark == first.before  # nothing skipped
    assert sync(db, settings, now=now).orders == 1  # the next sync reads the change


def test_v0_reads_every_page_of_an_orders_lines(db, amazon, live):
    # Sample 3 is the fixtures' two-line order (#28, tests/fixtures/seller/README.md).
    amazon.add_order("120-0000000-0000013", created=real_now() - timedelta(hours=6), sample=3)
    amazon.items_page_size = 1
    result = sync(db, live(orders_api_version="v0"))
    assert result.items == len(amazon.orders["120-0000000-0000013"].items) == 2
    assert len(amazon.called("/orders/v0/orders/120-0000000-0000013/orderItems")) == 2


def test_an_unreadable_order_is_left_out_and_logged_not_the_whole_sync(db, amazon, live, caplog):
    now = real_now()
    amazon.add_order("120-0000000-0000014", created=now - timedelta(hours=6))
    amazon.add_order("120-0000000-0000015", created=now - timedelta(hours=5))
    amazon.orders["120-0000000-0000015"].overrides = {"createdTime": "yesterday"}
    result = sync(db, live())
    assert (result.orders, result.skipped) == (1, ("120-0000000-0000015",))
    assert "120-0000000-0000015 left out" in caplog.text and "createdTime" in caplog.text
    assert [r["order_id"] for r in stored(db)["orders"]] == ["120-0000000-0000014"]
    assert sync_state.get(db, "ATVPDKIKX0DER").watermark == result.before



def test_an_order_left_out_is_shown_in_the_digest_and_on_app_home_until_it_is_read(
        db, amazon, live):
    # The cursor moves past an order that could not be read: without this, nothing would say
    # it is missing from every list.
    now = real_now()
    amazon.add_order("120-0000000-0000018", created=now - timedelta(hours=6))
    amazon.orders["120-0000000-0000018"].overrides = {"createdTime": "yesterday"}
    settings = live()
    sync(db, settings, now=now - timedelta(hours=2))
    sync(db, settings, now=now - timedelta(hours=1))  # reads nothing new: the order stays listed
    seller = wiring.seller_of(settings)
    digest = digests.digest(db, seller, now - timedelta(hours=1))
    assert digest.sync.left_out == ("120-0000000-0000018",)
    text = render.text("digest", digest=digest, seller=seller)
    assert "WARNING: 1 order from Amazon could not be read" in text
    assert "120-0000000-0000018" in text
    assert "120-0000000-0000018" in json.dumps(render_blocks.digest_message(digest, seller))
    home = json.dumps(render_blocks.home_view(digest, seller))
    assert "1 order from Amazon could not be read" in home and "120-0000000-0000018" in home
    # Amazon fixes it: the next sync reads it, and the warning goes.
    amazon.orders["120-0000000-0000018"].overrides = {}
    amazon.update("120-0000000-0000018", status="Unshipped", at=now - timedelta(minutes=30))
    assert sync(db, settings, now=now).orders == 1
    after = digests.digest(db, seller, now)
    assert after.sync.left_out == ()
    assert "could not be read" not in render.text("digest", digest=after, seller=seller)


@pytest.mark.parametrize("version", ["v0", "2026-01-01"])
def test_a_status_sellerbot_does_not_know_is_stored_as_unknown_with_a_warning(
        db, amazon, live, caplog, version):
    amazon.add_order("120-0000000-0000019", created=real_now() - timedelta(hours=6))
    amazon.orders["120-0000000-0000019"].status = "Teleported"
    result = sync(db, live(orders_api_version=version))
    assert (result.orders, result.skipped) == (1, ())
    assert [r["status"] for r in stored(db)["orders"]] == [None]
    assert "order status 'Teleported', which sellerbot does not know" in caplog.text


def test_a_fault_nobody_expected_is_still_recorded(db, amazon, live, monkeypatch):
    amazon.add_order("120-0000000-0000016", created=real_now() - timedelta(hours=6))

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(syncs, "_store", broken)
    with pytest.raises(RuntimeError):
        sync(db, live())
    state = sync_state.get(db, "ATVPDKIKX0DER")
    assert state.last_error == "RuntimeError" and state.failing_since is not None


def test_no_token_and_no_buyer_data_reach_the_log(db, amazon, live, caplog, monkeypatch):
    import logging

    # The library logs request headers and whole answers at DEBUG, and pins its client's
    # logger at INFO today; were it not to, sellerbot's own setting must still hold.
    monkeypatch.setattr(logging.getLogger("sp_api.base.client"), "level", logging.NOTSET)
    caplog.set_level(logging.DEBUG)
    amazon.add_order("120-0000000-0000017", created=real_now() - timedelta(hours=6))
    sync(db, live())
    assert "SP-API sync" in caplog.text  # sellerbot's own lines are there
    assert "Atza|" not in caplog.text and not [p for p in PII if p in caplog.text]


def _pages_thread_ended() -> bool:
    for thread in threading.enumerate():
        if thread.name == "sp-api-pages":
            thread.join(timeout=10)
            if thread.is_alive():
                return False
    return True


def test_the_next_page_is_asked_for_while_this_one_is_stored(db, amazon, live, monkeypatch):
    now = real_now()
    for number in range(5):
        amazon.add_order(f"120-0000000-00001{number:02d}", created=now - timedelta(hours=number + 1))
    amazon.page_size_limit = 1
    monkeypatch.setattr(syncs, "WRITE_ROWS", 1)  # every page stored as it comes
    store, asked = syncs._store, []

    def store_when_the_next_page_is_asked_for(db_, records, seller, at):
        # Waits (10 s at most) for the read-ahead to ask for the page after this one.
        wanted, deadline = len(asked) + 2, time.monotonic() + 10
        while len(amazon.called(API)) < min(wanted, 5) and time.monotonic() < deadline:
            time.sleep(0.01)
        asked.append(len(amazon.called(API)))
        return store(db_, records, seller, at)

    monkeypatch.setattr(syncs, "_store", store_when_the_next_page_is_asked_for)
    result = sync(db, live())
    assert (result.orders, result.pages) == (5, 5)
    # While page n was stored, page n + 1 had been asked for.
    assert all(seen >= page + 1 for page, seen in enumerate(asked[:4], 1)), asked
    assert result.work > 0


def test_a_failed_write_asks_amazon_for_no_further_page(db, amazon, live, monkeypatch):
    now = real_now()
    for number in range(30):
        amazon.add_order(f"120-0000000-00002{number:02d}", created=now - timedelta(hours=number + 1))
    amazon.page_size_limit = 1
    monkeypatch.setattr(syncs, "WRITE_ROWS", 1)

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(syncs, "_store", broken)
    with pytest.raises(RuntimeError):
        sync(db, live())
    assert _pages_thread_ended()
    # The page stored, the one read ahead, and at most the one on its way when the write failed.
    assert len(amazon.called(API)) <= 3
    assert sync_state.get(db, "ATVPDKIKX0DER").last_error == "RuntimeError"


def test_a_second_sync_waits_for_the_first_and_asks_amazon_nothing(db, amazon, live):
    # A `sellerbot sync` in a terminal while the scheduled one runs, or two replicas.
    now = real_now()
    amazon.add_order("120-0000000-0000019", created=now - timedelta(hours=6))
    settings = live()
    running = job_runs.claim(db, "sync:ATVPDKIKX0DER", syncs.RUNNING, "elsewhere:1",
                             now - syncs.STALE_SYNC + timedelta(minutes=1),
                             stale_after=syncs.STALE_SYNC)
    with pytest.raises(SellerbotError) as refused:
        sync(db, settings, now=now)
    assert refused.value.code == "sync_running"
    assert refused.value.params["owner"] == "elsewhere:1"
    assert "another sync of these orders is running" in render.message(
        "errors", refused.value.code, **refused.value.params)
    assert amazon.called(API) == []
    assert sync_state.get(db, "ATVPDKIKX0DER") is None  # not recorded as a failure
    job_runs.release(db, running)
    assert sync(db, settings, now=now).orders == 1
    assert sync(db, settings, now=now).orders == 0  # each sync gave its claim back


def test_a_sync_that_died_is_taken_over_after_its_claim_goes_stale(db, amazon, live):
    now = real_now()
    amazon.add_order("120-0000000-0000020", created=now - timedelta(hours=6))
    job_runs.claim(db, "sync:ATVPDKIKX0DER", syncs.RUNNING, "crashed:1",
                   now - syncs.STALE_SYNC, stale_after=syncs.STALE_SYNC)
    assert sync(db, live(), now=now).orders == 1
    assert job_runs.get(db, "sync:ATVPDKIKX0DER", syncs.RUNNING) is None


def test_a_failed_sync_gives_its_claim_back(db, amazon, live):
    now = real_now()
    amazon.add_order("120-0000000-0000021", created=now - timedelta(hours=6))
    amazon.fail(API, 400)
    settings = live()
    with pytest.raises(SpApiFailed):
        sync(db, settings, now=now)
    assert sync(db, settings, now=now).orders == 1


@pytest.mark.parametrize("version", ["v0", "2026-01-01"])
def test_a_sync_updates_the_lines_a_report_stored_first(tmp_path, amazon, live, cli, version):
    # getOrderItems (v0) dates nothing: its lines went in undated, and an undated record only
    # fills what the store lacks, so a line the Unshipped report stored stayed unshipped after
    # the seller shipped it, and `confirm` would name it again.
    order_id = "140-0000000-0000001"
    now = datetime.now(UTC).replace(microsecond=0)
    created = now - timedelta(days=2)
    amazon.add_order(order_id, created=created, sample=2)  # one line, CD-WINTER-GTR
    url = f"sqlite:///{tmp_path / 'lines.db'}"

    def stamp(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")

    header = ["order-id", "order-item-id", "purchase-date", "reporting-date", "promise-date",
              "sku", "product-name", "quantity-purchased", "quantity-shipped"]
    row = [order_id, "28180173765220", stamp(created), stamp(now - timedelta(days=1)),
           stamp(created + timedelta(days=2)), "CD-WINTER-GTR", "Winter Carols", "1", "0"]
    report = tmp_path / "unshipped.txt"
    report.write_text("\t".join(header) + "\n" + "\t".join(row) + "\n")
    assert cli("import", str(report), env={"DATABASE_URL": url}).returncode == 0
    amazon.update(order_id, status="Shipped", at=now - timedelta(minutes=30))
    amazon.orders[order_id].items[0]["QuantityShipped"] = 1
    db = Database.open(url)
    settings = live(orders_api_version=version, database_url=url)
    syncs.sync(db, OrdersApi(settings, sleep=lambda _s: None), wiring.seller_of(settings), 30,
               now=datetime.now(UTC))
    rows = stored(db)
    db.close()
    assert rows["orders"][0]["status"] == "Shipped"
    assert rows["order_items"][0]["quantity_shipped"] == 1


def unreadable(amazon, order_id: str, created: datetime) -> None:
    """An order Amazon sends with a field no sync can read (its createdTime)."""
    amazon.add_order(order_id, created=created)
    amazon.orders[order_id].overrides = {"createdTime": "yesterday"}


def test_an_order_left_out_then_imported_from_a_report_is_off_the_warning_for_good(
        db, amazon, live, tmp_path):
    from bot.config import load_settings
    from bot.jobs import upkeep
    from bot.store import queries
    from bot.usecases.imports import import_file

    # The seller brought the order in from Seller Central's report: it was still "missing
    # from every list" in the warning, and after the clean-up deleted it months later, too.
    now, order_id = real_now(), "120-0000000-0000018"
    unreadable(amazon, order_id, now - timedelta(hours=6))
    settings = live()
    sync(db, settings, now=now - timedelta(hours=1))
    seller = wiring.seller_of(settings)
    assert digests.digest(db, seller, now).sync.left_out == (order_id,)
    import_file(db, report_of(tmp_path, order_id, now - timedelta(hours=6), "Shipped"), seller,
                now=now)
    assert digests.digest(db, seller, now).sync.left_out == ()
    later = now + timedelta(days=200)
    upkeep.clean_up(load_settings(database_url=db.url), db, later)
    with db.begin() as conn:
        assert queries.get_order(conn, order_id) is None
    assert digests.digest(db, seller, later).sync.left_out == ()


def report_of(tmp_path, order_id: str, at: datetime, status: str):
    """An All Orders report of one line of `order_id`, last updated `at`."""
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    report = tmp_path / f"all-orders-{status}.txt"
    report.write_text(
        "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\t"
        "fulfillment-channel\tsales-channel\tsku\titem-status\tquantity\n"
        + "\t".join([order_id, stamp, stamp, status, "Merchant", "Amazon.com", "SKU-1",
                     status, "1"]) + "\n")
    return report


def stale(db, amazon, settings, order_id: str, now: datetime):
    """Sync `order_id` (bought 6 hours before `now`) into the store, then cancel it at Amazon
    in a way the next sync cannot read, and sync again: the store's copy is stale. The
    settings."""
    amazon.add_order(order_id, created=now - timedelta(hours=6))
    sync(db, settings, now=now - timedelta(hours=2))
    amazon.update(order_id, status="Canceled", at=now - timedelta(minutes=90))
    amazon.orders[order_id].overrides = {"createdTime": "yesterday"}
    sync(db, settings, now=now - timedelta(hours=1))
    return settings


def sync_importing(db, settings, imported, now, *, after_the_page: bool) -> None:
    """Sync at `now` with `imported()` called at each page, before or after the sync has
    read it: an import in another process while the sync runs."""
    api = OrdersApi(settings, sleep=lambda _s: None)
    changed = api.changed

    def changed_with_an_import(*args, **kwargs):
        for page in changed(*args, **kwargs):
            if not after_the_page:
                imported()
            yield page
            if after_the_page:
                imported()

    api.changed = changed_with_an_import
    syncs.sync(db, api, wiring.seller_of(settings), 30, now=now)


def test_a_stale_order_stays_on_the_warning_when_an_old_report_is_read_again(
        db, amazon, live, tmp_path):
    from bot.usecases.imports import import_file

    # Stored already, then cancelled at Amazon in a way the sync cannot read: the store's
    # copy is stale, and the warning must say so (it vanished because the store held the
    # order). Then yesterday's report, from before the cancellation, imported again: the
    # store learnt nothing, and the warning must stay.
    now, order_id = real_now(), "120-0000000-0000019"
    created = now - timedelta(hours=6)
    settings = stale(db, amazon, live(), order_id, now)
    seller = wiring.seller_of(settings)
    assert digests.digest(db, seller, now).sync.left_out == (order_id,)
    import_file(db, report_of(tmp_path, order_id, created, "Unshipped"), seller, now=now)
    assert digests.digest(db, seller, now).sync.left_out == (order_id,)


def test_an_import_while_a_sync_runs_is_not_undone_by_the_sync(db, amazon, live, tmp_path):
    from bot.usecases.imports import import_file

    # The sync wrote back the list it read when it began: the order an import found while
    # it ran was missing again.
    now, order_id = real_now(), "120-0000000-0000018"
    unreadable(amazon, order_id, now - timedelta(hours=6))
    amazon.add_order("120-0000000-0000020", created=now - timedelta(hours=5))
    settings = live()
    sync(db, settings, now=now - timedelta(hours=1))
    seller = wiring.seller_of(settings)
    assert digests.digest(db, seller, now).sync.left_out == (order_id,)
    amazon.update("120-0000000-0000020", status="Shipped", at=now - timedelta(minutes=30))
    report = report_of(tmp_path, order_id, now - timedelta(hours=6), "Shipped")
    sync_importing(db, settings, lambda: import_file(db, report, seller, now=now), now,
                   after_the_page=False)
    assert digests.digest(db, seller, now).sync.left_out == ()


def test_an_import_after_the_sync_left_an_order_out_but_before_it_ended_takes_it_off(
        db, amazon, live, tmp_path):
    from bot.usecases.imports import import_file

    # The import's found() did not see the order (the sync had not written its list yet),
    # then the sync added it, and the order stayed on the warning though the store held it.
    now, order_id = real_now(), "120-0000000-0000031"
    unreadable(amazon, order_id, now - timedelta(hours=6))
    settings = live()
    seller = wiring.seller_of(settings)
    report = report_of(tmp_path, order_id, now - timedelta(hours=6), "Shipped")
    sync_importing(db, settings, lambda: import_file(db, report, seller, now=now), now,
                   after_the_page=True)
    assert digests.digest(db, seller, now).sync.left_out == ()


def test_an_update_made_in_slack_during_an_import_is_no_news_the_import_brought(
        db, amazon, live, tmp_path, monkeypatch):
    from bot.usecases import shipments
    from bot.usecases.imports import import_file

    # On PostgreSQL a click's write is not held back by an import, and found() read its
    # newer last update as the import's news of an order the import never had.
    now, order_id = real_now(), "120-0000000-0000032"
    settings = stale(db, amazon, live(), order_id, now)
    seller = wiring.seller_of(settings)
    found = sync_state.found

    def found_after_a_click(conn, *args):
        order = shipments.order_to_confirm(db, order_id)
        if db.dialect == "postgresql":  # on SQLite the click waits for the import's lock
            click = threading.Thread(target=shipments._mark_shipped,
                                     args=(db, order, now - timedelta(minutes=5), now))
            click.start()
            click.join(10)
        found(conn, *args)

    monkeypatch.setattr(sync_state, "found", found_after_a_click)
    import_file(db, report_of(tmp_path, "120-0000000-0000099", now - timedelta(hours=3),
                              "Shipped"), seller, now=now)
    assert digests.digest(db, seller, now).sync.left_out == (order_id,)


def test_every_order_left_out_is_kept_and_the_warning_names_the_first_twenty(db, amazon, live):
    # Only the newest 20 were kept: the 21st and older vanished from the warning though no
    # sync had read them (README: listed until a later sync reads it).
    now = real_now()
    ids = [f"160-0000000-00000{n:02d}" for n in range(25)]
    for n, order_id in enumerate(ids):
        amazon.add_order(order_id, created=now - timedelta(hours=30 - n))
        amazon.orders[order_id].overrides = {"createdTime": "yesterday"}
    settings = live()
    sync(db, settings, now=now)
    seller = wiring.seller_of(settings)
    digest = digests.digest(db, seller, now)
    assert sorted(digest.sync.left_out) == ids
    text = render.text("digest", digest=digest, seller=seller)
    assert "WARNING: 25 orders from Amazon could not be read" in text
    assert sum(order_id in text for order_id in ids) == 20 and " and 5 more." in text


def test_a_sync_that_brings_the_sellers_own_orders_removes_the_demo_sellers(db, amazon, live):
    from bot.usecases.demo import load_demo

    now = real_now()
    load_demo(db, wiring.seller_of(live()), now)
    amazon.add_order("111-0000000-0000001", created=now - timedelta(days=1))
    sync(db, live())
    rows = stored(db)
    assert [r["order_id"] for r in rows["orders"]] == ["111-0000000-0000001"]
    assert {r["order_id"] for r in rows["order_items"]} == {"111-0000000-0000001"}
    assert rows["returns"] == []
