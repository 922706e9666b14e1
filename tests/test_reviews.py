"""Amazon's "Request a Review" through the Solicitations API: the orders it is due for, and
sending it exactly once per order, with the real python-amazon-sp-api against the local fake
(issue 19)."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from bot import wiring
from bot.domain.records import Channel, Order, OrderItem, OrderStatus
from bot.domain.reviews import Asked, Skip
from bot.errors import BadInput
from bot.policy import review_window
from bot.store import Database, review_requests
from bot.store.writer import Writer
from bot.usecases import reviews

NOW = datetime.now(UTC).replace(microsecond=0)
SOLICITATIONS = "/solicitations/v1/orders/"


def order_id(n: int) -> str:
    return f"112-0000000-00000{n:02d}"


def store_orders(db: Database, due: int = 4) -> list[str]:
    """`due` shipped orders inside their review window, and one canceled."""
    with db.begin() as conn:
        writer = Writer(conn)
        for n in range(due + 1):
            delivered = NOW - timedelta(days=10 + n)
            writer.add(Order(order_id(n), purchase_date=delivered - timedelta(days=5),
                             status=OrderStatus.CANCELED if n == due else OrderStatus.SHIPPED,
                             fulfillment_channel=Channel.MERCHANT,
                             earliest_delivery_date=delivered - timedelta(days=2),
                             latest_delivery_date=delivered))
            writer.add(OrderItem(order_id(n), f"SKU-{n}", quantity_ordered=1))
        writer.flush()
    return [order_id(n) for n in range(due)]


class Clock:
    """A clock whose time passes only by sleeping, and a sleep that only counts: the pace and
    429 waits, without waiting. Not the real clock: on a slow machine the calls to the fake
    Amazon took long enough to refill the pace's bucket, and the waits came out shorter."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self.now = 0.0

    def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        """The time slept so far."""
        return self.now


@pytest.fixture
def setup(db, live):
    settings = live(review_requests="manual")
    seller = wiring.seller_of(settings)
    clock = Clock()
    api = reviews_api(settings, clock)
    return db, seller, api, clock


def reviews_api(settings, clock):
    from bot.sources.solicitations import SolicitationsApi

    return SolicitationsApi(settings, review_window(), clock=clock.monotonic, sleep=clock)


def test_the_due_orders_are_listed_and_the_others_with_their_reason(setup):
    db, seller, _api, _clock = setup
    due = store_orders(db)
    report = reviews.reviews_due(db, seller, NOW)
    assert sorted(s.order.order_id for s in report.due) == due
    assert {skip: len(listed) for skip, listed in report.skipped.items()} == {Skip.CANCELED: 1}


def test_a_request_is_sent_once_and_the_order_is_never_asked_again(setup, amazon):
    db, seller, api, _clock = setup
    first = store_orders(db)[0]
    sent = reviews.request_review(db, api, seller, first, NOW)
    assert sent.asked is Asked.SENT and amazon.solicitations.sent[first] == 1
    # Asked first whether Amazon offers it, then sent: the marketplace in each.
    calls = amazon.called(SOLICITATIONS)
    assert [(c.method, c.query["marketplaceIds"]) for c in calls] == [
        ("GET", "ATVPDKIKX0DER"), ("POST", "ATVPDKIKX0DER")]
    with pytest.raises(BadInput) as again:
        reviews.request_review(db, api, seller, first, NOW)
    assert again.value.params["reason"] == "requested"
    assert first not in {s.order.order_id for s in reviews.reviews_due(db, seller, NOW).due}
    assert len(amazon.called(SOLICITATIONS)) == 2


def test_not_offered_by_amazon_is_recorded_and_never_tried_again(setup, amazon):
    db, seller, api, _clock = setup
    first, *others = store_orders(db)
    amazon.solicitations.not_offered.add(first)
    results = reviews.request_due(db, api, seller, NOW).results
    assert {r.order_id: r.asked for r in results}[first] is Asked.NOT_OFFERED
    assert review_requests.asked(db, [first])[first].asked is Asked.NOT_OFFERED
    asked_before = len(amazon.called(SOLICITATIONS))
    assert reviews.request_due(db, api, seller, NOW).results == []
    assert len(amazon.called(SOLICITATIONS)) == asked_before
    assert sorted(amazon.solicitations.sent) == sorted(others)


def test_a_429_is_waited_out_and_amazon_pace_kept(setup, amazon):
    db, seller, api, clock = setup
    due = store_orders(db, due=6)
    amazon.fail(SOLICITATIONS, 429, times=2, headers={"x-amzn-RateLimit-Limit": "1.0"})
    results = reviews.request_due(db, api, seller, NOW).results
    assert [r.asked for r in results] == [Asked.SENT] * len(due)
    assert api.calls.throttled == 2
    # The 429s' waits (1 s, then 2 s, as the rate limit header says), then Amazon's pace:
    # 12 calls, 5 at once, each further one a second after the one before. The first call
    # takes one of the 5; the 3 s of waits give it back, so 6 calls go at once and the other
    # 6 wait a second each.
    assert clock.slept == [1.0, 2.0] + [1.0] * (12 - 6)


def test_amazons_refusal_is_recorded_with_its_words_and_may_be_retried(setup, amazon):
    db, seller, api, _clock = setup
    first = store_orders(db, due=1)[0]
    amazon.fail(f"{SOLICITATIONS}{first}/solicitations", 400, body={"errors": [
        {"code": "InvalidInput", "message": "Try again later."}]})
    failed = reviews.request_review(db, api, seller, first, NOW)
    assert (failed.asked, failed.error, failed.detail) == (
        Asked.FAILED, "400 InvalidInput", "Try again later.")
    again = reviews.request_review(db, api, seller, first, NOW)
    assert again.asked is Asked.SENT and amazon.solicitations.sent[first] == 1


def test_a_request_whose_answer_is_lost_is_never_sent_twice(setup, amazon):
    # Amazon took the request, but the answer was a gateway's 504: sending it again would be
    # a second request for one order, which Amazon bans (messaging.md §3.3).
    db, seller, api, _clock = setup
    first = store_orders(db, due=1)[0]
    fake = amazon.solicitations
    real, posts = fake.answer, []

    def answer(method, path, query):
        status, body, headers = real(method, path, query)
        if method == "POST":
            posts.append(path)
            if len(posts) == 1:
                return 504, {"errors": [{"code": "GatewayTimeout", "message": "late"}]}, {}
        return status, body, headers

    fake.answer = answer
    lost = reviews.request_review(db, api, seller, first, NOW)
    assert lost.asked is Asked.FAILED and lost.error == "504 GatewayTimeout"
    assert len(posts) == 1 and fake.sent[first] == 1
    # The next attempt asks Amazon first, which no longer offers it: nothing is sent again.
    again = reviews.request_due(db, api, seller, NOW).results
    assert [r.asked for r in again] == [Asked.NOT_OFFERED] and len(posts) == 1


def test_a_second_run_during_a_long_one_never_sends_an_order_again(db, live):
    import threading
    from collections import Counter

    import time_machine

    # Claims were stamped with the time the run began: 10 minutes into a long run (300 orders
    # at Amazon's pace), every claim it made was stale at once, and "Request all due" clicked
    # meanwhile took them over and sent Amazon the same request twice.
    seller = wiring.seller_of(live(review_requests="manual"))
    store_orders(db, due=12)
    start = NOW + timedelta(hours=1)
    with time_machine.travel(start, tick=False) as traveller:
        lock, sent = threading.Lock(), Counter()

        class Amazon:  # offers a request until it has one; a minute a call (a long run)
            def offered(self, order_id, marketplace_id=None):
                with lock:
                    answer = sent[order_id] == 0
                    traveller.shift(timedelta(minutes=1))
                threading.Event().wait(0.005)  # the call's own time: the other run goes on
                return answer

            def request_review(self, order_id, marketplace_id=None):
                threading.Event().wait(0.005)
                with lock:
                    traveller.shift(timedelta(minutes=1))
                    sent[order_id] += 1

        def real_now() -> datetime:  # the travelled clock, as the edges read it
            return datetime.now(UTC)

        def click_request_all_due():
            while datetime.now(UTC) < start + timedelta(minutes=11):
                threading.Event().wait(0.001)
            reviews.request_due(db, Amazon(), seller, datetime.now(UTC), clock=real_now)

        clicked = threading.Thread(target=click_request_all_due)
        clicked.start()
        reviews.request_due(db, Amazon(), seller, start, clock=real_now)
        clicked.join(60)
    assert len(sent) == 12 and set(sent.values()) == {1}


def test_claims_are_stamped_as_the_run_goes_on_not_when_it_began(db, live):
    import threading

    from sqlalchemy import select

    from bot.store.models import REVIEW_REQUESTS

    seller = wiring.seller_of(live(review_requests="manual"))
    store_orders(db, due=3)

    class Amazon:  # a tenth of a second a call
        def offered(self, order_id, marketplace_id=None):
            threading.Event().wait(0.1)
            return True

        def request_review(self, order_id, marketplace_id=None):
            threading.Event().wait(0.1)

    reviews.request_due(db, Amazon(), seller, NOW)
    with db.begin() as conn:
        claimed = sorted(conn.scalars(select(REVIEW_REQUESTS.c.claimed_at)))
    assert claimed[0] >= NOW and claimed[-1] - claimed[0] >= timedelta(seconds=0.35)


def test_two_processes_at_once_send_each_order_exactly_once(db, amazon, tmp_path):
    due = store_orders(db, due=8)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DIGEST_"))},
           "DATABASE_URL": db.url, "REVIEW_REQUESTS": "manual",
           "LWA_APP_ID": "amzn1.application-oa2-client.test", "LWA_CLIENT_SECRET": "x",
           "SP_API_REFRESH_TOKEN": "Atzr|test", "SP_API_ENDPOINT": amazon.url,
           "LWA_TOKEN_URL": amazon.token_url}
    processes = [subprocess.Popen([sys.executable, "-m", "bot", "reviews", "request", "--due"],
                                  cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert dict(amazon.solicitations.sent) == dict.fromkeys(due, 1)
    said = "".join(out for out, _err in outputs)
    assert said.count("review requested") == len(due)
    posts = [c for c in amazon.called(SOLICITATIONS) if c.method == "POST"]
    assert len(posts) == len(due)


def test_off_sends_nothing_and_says_how_to_turn_it_on(cli, db, amazon):
    store_orders(db, due=1)
    ran = cli("reviews", "request", "--due", env={"DATABASE_URL": db.url,
                                                  "REVIEW_REQUESTS": None})
    assert ran.returncode == 1 and "REVIEW_REQUESTS is off" in ran.stderr
    assert amazon.called(SOLICITATIONS) == []
    listed = cli("reviews", "due", "--json", env={"DATABASE_URL": db.url})
    assert [o["order_id"] for o in json.loads(listed.stdout)["due"]] == [order_id(0)]


@pytest.mark.parametrize(("draft", "pointed"), [
    ("Loved it? Please leave us a 5-star review!", True),
    ("If you are happy, please leave a review; if not, contact us first.", True),
    ("Your replacement charger is on its way; sorry for the trouble.", False),
])
def test_check_reply_points_review_requests_to_amazons_own(draft, pointed):
    from bot.compliance.loading import checker
    from bot.render import blocks, text

    result = checker().check(draft)
    terminal = text("check_reply", result=result)
    slack = json.dumps(blocks.check_reply_message(result))
    # The rules' own fixes name Amazon's button; the pointer says sellerbot sends it.
    assert ("sellerbot reviews request ORDER_ID" in terminal) is pointed
    assert ("`sellerbot reviews request ORDER_ID`" in slack) is pointed
    # ...and when Amazon takes it, in the days rules/reviews.yaml gives.
    window = review_window()
    days = f"from {window.opens_days} to {window.closes_days} days after delivery"
    assert (days in terminal and days in slack) is pointed


def test_the_review_window_told_is_the_one_the_rules_give():
    from bot.compliance.checker import Checker
    from bot.compliance.loading import checker
    from bot.render import blocks, text

    draft = "Loved it? Please leave us a 5-star review!"
    told = Checker(checker().rules, review_window_days=(4, 45)).check(draft)
    assert "from 4 to 45 days after delivery" in text("check_reply", result=told)
    assert "from 4 to 45 days after delivery" in json.dumps(blocks.check_reply_message(told))
    # A checker told no window names none.
    untold = text("check_reply", result=Checker(checker().rules).check(draft))
    assert "only in Amazon's window after delivery" in untold and "days after" not in untold


def test_auto_sends_the_due_requests_daily_after_the_morning_digest(db, live, amazon, caplog):
    import logging

    from bot import jobs

    caplog.set_level(logging.INFO)
    settings = live(review_requests="auto", digest_channel="C0000ORDERS@07:45",
                    slack_bot_token="xoxb-test")
    job = jobs.scheduler(settings, db, lambda _s: None).get_job("review-requests")
    assert (job.trigger.fields[5].expressions[0].first, job.trigger.fields[6].expressions[0]
            .first) == (8, 15)  # hour, minute: half an hour after the digest
    for manual in (live(review_requests="manual"), live(review_requests="auto", lwa_app_id=None)):
        assert jobs.scheduler(manual, db, lambda _s: None).get_job("review-requests") is None
    due = store_orders(db, due=2)
    runner = jobs.ReviewRequests(settings, db)
    runner.run()  # four calls: within Amazon's burst, no wait
    assert dict(amazon.solicitations.sent) == dict.fromkeys(due, 1)
    assert "review requests: 2 sent" in caplog.text
    runner.run()  # the next day: nothing is asked twice
    assert dict(amazon.solicitations.sent) == dict.fromkeys(due, 1)
    assert "review requests: none due" in caplog.text


def test_the_digest_and_app_home_count_the_review_requests_when_they_are_on(setup, live):
    from bot.render import blocks, text
    from bot.usecases import digests

    db, seller, api, _clock = setup
    due = store_orders(db, due=3)
    reviews.request_review(db, api, seller, due[0], NOW)
    digest = digests.digest(db, seller, NOW + timedelta(minutes=1))
    assert (digest.reviews.sent, digest.reviews.due) == (1, 2)
    shown = json.dumps(blocks.digest_message(digest, seller))
    assert "review requests: 1 sent since" in shown and "2 due" in shown
    assert "*Review requests*\\n2 due · 1 sent since yesterday" in json.dumps(
        blocks.home_view(digest, seller, []), ensure_ascii=False)
    assert "Review requests: 1 sent since" in text("digest", digest=digest, seller=seller)
    off = wiring.seller_of(live())  # REVIEW_REQUESTS=off: not counted, not shown
    quiet = digests.digest(db, off, NOW + timedelta(minutes=1))
    assert quiet.reviews is None
    assert "review requests" not in json.dumps(blocks.digest_message(quiet, off)).lower()


def test_a_draft_asking_for_a_review_of_a_due_order_is_told_sellerbot_can_send_it(setup):
    from bot.compliance.loading import checker
    from bot.render import blocks, text
    from bot.usecases import reply_checks

    db, seller, _api, _clock = setup
    due = store_orders(db, due=1)[0]
    canceled = order_id(1)  # store_orders' last order is canceled: never due
    asker = reply_checks.Asker("command", "U0000PAT", "C0000ORDERS")
    for draft, named in (
            (f"Thanks for order {due}! Please leave us a 5-star review.", due),
            (f"Thanks for order {canceled}! Please leave us a 5-star review.", None),
            (f"Your order {due} ships today.", None)):  # no review asked for: nothing to say
        checked = reply_checks.check_and_record(db, checker(), draft, asker, NOW, seller=seller)
        assert checked.review_order == named, draft
    asked = reply_checks.check_and_record(
        db, checker(), f"Order {due}: please leave a 5-star review!", asker, NOW, seller=seller)
    shown = json.dumps(blocks.check_reply_message(asked.result, review_order=asked.review_order))
    assert f"It is due for order {due} now" in shown and f"`/orders {due}`" in shown
    assert f"It is due for order {due} now" in text("check_reply", result=asked.result,
                                                     review_order=asked.review_order)


def test_the_demo_sellers_orders_are_listed_but_never_sent(setup, amazon):
    # `sellerbot demo`, then the SP-API set up before a sync brought the seller's own orders:
    # the demo shows what would be due, but its invented ids never reach Amazon.
    from bot.usecases.demo import load_demo

    db, seller, api, _clock = setup
    load_demo(db, seller, NOW)
    due = reviews.reviews_due(db, seller, NOW).due
    assert due  # the demo shows the feature
    done = reviews.request_due(db, api, seller, NOW, limit=3)
    assert done.results == [] and done.demo == len(due) and done.left == 0
    with pytest.raises(BadInput) as refused:
        reviews.request_review(db, api, seller, due[0].order.order_id, NOW)
    assert refused.value.code == "review_demo_order"
    assert amazon.called(SOLICITATIONS) == []
    # The seller's own orders beside the demo's are sent.
    mine = store_orders(db, due=1)
    done = reviews.request_due(db, api, seller, NOW)
    assert [sent.order_id for sent in done.results] == mine and done.demo == len(due)


def test_an_order_is_asked_in_the_marketplace_it_was_placed_in(setup, amazon):
    # An amazon.ca order in an amazon.com seller's store (one unified North America account):
    # Amazon takes the marketplace the order was placed in, and offers nothing under another.
    db, seller, api, _clock = setup
    canada = "A2EUQ1WTGCTBG2"
    delivered = NOW - timedelta(days=10)
    with db.begin() as conn:
        writer = Writer(conn)
        writer.add(Order("702-0000000-0000001", purchase_date=delivered - timedelta(days=5),
                         status=OrderStatus.SHIPPED, fulfillment_channel=Channel.MERCHANT,
                         marketplace_id=canada,
                         earliest_delivery_date=delivered - timedelta(days=2),
                         latest_delivery_date=delivered))
        writer.add(OrderItem("702-0000000-0000001", "SKU-1", quantity_ordered=1))
        writer.flush()
    mine = store_orders(db, due=1)  # no marketplace stated: the seller's
    done = reviews.request_due(db, api, seller, NOW)
    assert {sent.asked for sent in done.results} == {Asked.SENT}
    # Both calls for each order (is it offered? then send) name its marketplace.
    asked_in = {(call.path.split(SOLICITATIONS)[1].split("/")[0], call.query["marketplaceIds"])
                for call in amazon.called(SOLICITATIONS)}
    assert asked_in == {("702-0000000-0000001", canada), (mine[0], "ATVPDKIKX0DER")}
    assert len(amazon.called(SOLICITATIONS)) == 4


def test_a_pre_order_delivered_lately_is_due_however_long_ago_it_was_placed(setup, amazon):
    # A book pre-ordered 80 days ago, released and delivered 10 days ago.
    db, seller, api, _clock = setup
    delivered = NOW - timedelta(days=10)
    with db.begin() as conn:
        writer = Writer(conn)
        writer.add(Order("113-0000000-0000080", purchase_date=NOW - timedelta(days=80),
                         status=OrderStatus.SHIPPED, fulfillment_channel=Channel.MERCHANT,
                         earliest_delivery_date=delivered - timedelta(days=2),
                         latest_delivery_date=delivered))
        writer.add(OrderItem("113-0000000-0000080", "BOOK-PREORDER", quantity_ordered=1))
        writer.flush()
    listed = [s.order.order_id for s in reviews.reviews_due(db, seller, NOW).due]
    assert listed == ["113-0000000-0000080"]
    done = reviews.request_due(db, api, seller, NOW)
    assert [sent.order_id for sent in done.results] == listed
    assert amazon.solicitations.sent == {"113-0000000-0000080": 1}
