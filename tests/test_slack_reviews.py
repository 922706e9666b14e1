""""Request a review" end to end: `sellerbot serve` as a process, the fake Slack for Slack and
the fake SP-API for Amazon, both spoken to by the real clients (issue 19)."""

import json
import sqlite3
import time
from datetime import UTC, datetime

import pytest

from bot.config import load_settings
from bot.store import Database, review_requests
from bot.usecases import reviews
from bot.wiring import seller_of
from tests.test_slack_confirm import serve_with_sp_api
from tests.test_slack_e2e import Served


@pytest.fixture
def serve(tmp_path, slack, amazon):
    """Start `sellerbot serve` with the SP-API set up (and `env`); stopped after the test."""
    started: list[Served] = []

    def start(**env: str) -> Served:
        running = serve_with_sp_api(tmp_path, slack, amazon, **env)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


def opened(served: Served):
    """The served database, the seller and settings it runs with (review requests on)."""
    settings = load_settings(database_url=f"sqlite:///{served.database}",
                             review_requests="manual")
    return Database.open(settings.database_url), seller_of(settings), settings


def sellers_own(served: Served) -> None:
    """The demo seller's orders made the seller's own, as if a sync had brought them: review
    requests are never sent for the demo's, whose ids Amazon does not know."""
    with sqlite3.connect(served.database) as conn:
        conn.execute("UPDATE orders SET is_demo = 0")


def a_due_order(served: Served) -> str:
    db, seller, _settings = opened(served)
    due = reviews.reviews_due(db, seller, datetime.now(UTC)).due
    db.close()
    return due[0].order.order_id


def click(served: Served, value: str, hook: str, action: str = "request_review",
          user: str = "U0000PAT") -> tuple[int, str]:
    """A click on one of the review buttons, as Slack sends it."""
    return served.interact({
        "type": "block_actions", "user": {"id": user, "name": "someone"},
        "team": {"id": "T0001"}, "api_app_id": "A0001",
        "channel": {"id": "C0000ORDERS", "name": "orders"}, "trigger_id": "1.2.3",
        "container": {"type": "message", "message_ts": "1.0", "is_ephemeral": True},
        "response_url": served.fake.webhook(hook),
        "actions": [{"type": "button", "action_id": action, "block_id": "review",
                     "value": value, "action_ts": "1795000000.1"}]})


def buttons(body: dict) -> list[str]:
    return [e.get("action_id") for b in body.get("blocks", []) if b["type"] == "actions"
            for e in b["elements"]]


def test_the_button_sends_once_however_often_it_is_clicked_and_goes(serve, slack, amazon):
    served = serve(REVIEW_REQUESTS="manual")
    sellers_own(served)
    order_id = a_due_order(served)
    served.command("/orders", order_id, "order")
    shown = slack.wait("webhook/order")[0].body
    assert "request_review" in buttons(shown)
    for n in range(3):
        click(served, order_id, f"click{n}")
    answers = [slack.wait(f"webhook/click{n}")[0].body for n in range(3)]
    assert dict(amazon.solicitations.sent) == {order_id: 1}
    assert all(a["replace_original"] is True and not buttons(a) for a in answers)
    said = [a["text"] for a in answers]
    assert sum("review requested (by <@U0000PAT>)" in s for s in said) == 1, said
    assert sum("already requested" in s for s in said) == 2, said
    # Asked again, the order shows its review as requested, and no button.
    served.command("/orders", order_id, "again")
    again = slack.wait("webhook/again")[0].body
    assert "request_review" not in buttons(again)
    assert "its review was already requested" in json.dumps(again)


def test_no_button_while_review_requests_are_off(serve, slack, amazon):
    served = serve()
    order_id = a_due_order(served)
    served.command("/orders", order_id, "order")
    shown = slack.wait("webhook/order")[0].body
    assert "request_review" not in buttons(shown) and "Review request" not in json.dumps(shown)
    click(served, order_id, "stale")  # a button shown before they were turned off
    assert "REVIEW_REQUESTS is off" in slack.wait("webhook/stale")[0].body["text"]
    assert amazon.called("/solicitations/") == []


def test_the_time_until_the_window_opens_is_shown(serve, slack, amazon):
    served = serve(REVIEW_REQUESTS="manual")
    db, seller, settings = opened(served)
    early = reviews.reviews_due(db, seller, datetime.now(UTC)).skipped[
        reviews.Skip.TOO_EARLY][0]
    db.close()
    served.command("/orders", early.order.order_id, "early")
    shown = json.dumps(slack.wait("webhook/early")[0].body)
    opens = early.opens.astimezone(settings.timezone)
    assert f"too early: it may be asked from {opens:%a %d %b %Y}" in shown


def test_reviews_lists_the_due_and_request_all_sends_each_once(serve, slack, amazon):
    served = serve(REVIEW_REQUESTS="manual")
    sellers_own(served)
    db, seller, _settings = opened(served)
    now = datetime.now(UTC)
    # All but three already asked: Amazon's pace is one a second.
    for standing in reviews.reviews_due(db, seller, now).due[3:]:
        review_requests.claim(db, standing.order.order_id, "earlier", now)
        review_requests.finish(db, standing.order.order_id, "earlier",
                               review_requests.Outcome(reviews.Asked.SENT), now)
    due = reviews.reviews_due(db, seller, now).due
    db.close()
    assert len(due) == 3
    served.command("/reviews", "", "list")
    listed = slack.wait("webhook/list")[0].body
    assert f"*{len(due)} review requests due*" in json.dumps(listed)
    assert "request_all_reviews" in buttons(listed)
    for n in range(2):  # clicked twice
        click(served, "due", f"all{n}", action="request_all_reviews")
    answers = [slack.wait(f"webhook/all{n}", timeout=60)[0].body for n in range(2)]
    assert dict(amazon.solicitations.sent) == {s.order.order_id: 1 for s in due}
    said = " ".join(a["text"] for a in answers)
    # Between them, the two clicks sent the three; neither sent one twice.
    counts = [int(a["text"].split(":star: ")[1].split()[0]) for a in answers]
    assert sum(counts) == 3, said
    assert all(a["replace_original"] and not buttons(a) for a in answers)


def test_only_allowed_users_may_request_reviews(serve, slack, amazon):
    served = serve(REVIEW_REQUESTS="manual", ALLOWED_USERS="U0000PAT")
    sellers_own(served)  # orders Amazon knows: only the allowlist stops the click
    status, _ = click(served, "due", "eve", action="request_all_reviews",
                      user="U0000EVE")
    # Slack shows nothing a click is acknowledged with: the refusal comes at the response_url.
    assert status == 200
    assert "not set up to answer here" in slack.wait("webhook/eve")[0].body["text"]
    time.sleep(1)  # nothing is sent after the refusal, not even later
    assert amazon.called("/solicitations/") == [] and len(slack.called("webhook/eve")) == 1


def test_the_demo_sellers_orders_are_never_sent_to_amazon(serve, slack, amazon):
    # `sellerbot demo` tried, then the SP-API set up before a sync brought the seller's own.
    served = serve(REVIEW_REQUESTS="manual")
    order_id = a_due_order(served)
    click(served, order_id, "one")
    click(served, "due", "all", action="request_all_reviews")
    one, every = slack.wait("webhook/one")[0].body, slack.wait("webhook/all")[0].body
    assert "one of the demo seller's orders" in one["text"]
    assert "the demo seller's (`sellerbot demo`), which Amazon does not know: never sent" in (
        every["text"])
    assert amazon.called("/solicitations/") == []
