""""Confirm shipment" end to end: `sellerbot serve` as a process, the fake Slack for Slack and
the fake SP-API for Amazon, both spoken to by the real clients."""

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from bot.store import Database, queries, sync_state
from tests.fake_slack import FakeSlack
from tests.test_confirm import add_two_line_order
from tests.test_slack_e2e import Served

ORDER, OTHER = "131-0000000-0000001", "131-0000000-0000002"


@pytest.fixture
def slack():
    server = FakeSlack()
    yield server
    server.close()


@pytest.fixture
def served(tmp_path, slack, amazon):
    now = datetime.now(UTC).replace(microsecond=0)
    for order_id in (ORDER, OTHER):
        add_two_line_order(amazon, order_id, created=now - timedelta(days=1),
                           ship_by=now + timedelta(hours=5))
    running = serve_with_sp_api(tmp_path, slack, amazon)
    yield running
    running.stop()


def serve_with_sp_api(tmp_path, slack, amazon, **env: str) -> Served:
    """`sellerbot serve` as a process with the fake SP-API set up (and `env`), once its first
    sync is done."""
    env = {"LWA_APP_ID": "amzn1.application-oa2-client.test", "LWA_CLIENT_SECRET": "x",
           "SP_API_REFRESH_TOKEN": "Atzr|test", "SP_API_ENDPOINT": amazon.url,
           "LWA_TOKEN_URL": amazon.token_url, "SYNC_INTERVAL_MINUTES": "1440", **env}
    running = Served(tmp_path, slack, **env)
    # serve syncs at once when the SP-API is set up: wait for that sync to have stored the
    # orders (a second sync from here would be refused while it runs).
    db = Database.open(f"sqlite:///{running.database}")
    deadline = time.monotonic() + 30
    while sync_state.latest_success(db) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sync_state.latest_success(db) is not None, "serve's first sync did not finish"
    db.close()
    return running


def view_of(call) -> dict:
    view = call.body["view"]
    return json.loads(view) if isinstance(view, str) else view


def click(served, order_id: str) -> None:
    served.interact({
        "type": "block_actions", "user": {"id": "U0000PAT"}, "team": {"id": "T0001"},
        "channel": {"id": "C0000ORDERS"}, "trigger_id": "4.4.4",
        "container": {"type": "message", "message_ts": "1795000500.000500", "is_ephemeral": False},
        "actions": [{"type": "static_select", "action_id": "confirm_shipment", "block_id": "confirm",
                     "selected_option": {"value": order_id}, "action_ts": "1.1"}]})


def submit(served, view: dict, **typed: str):
    values = {"carrier": {"value": {"type": "static_select",
                                    "selected_option": {"value": typed.get("carrier", "UPS")}}},
              "carrier_name": {"value": {"type": "plain_text_input", "value": None}},
              "tracking": {"value": {"type": "plain_text_input",
                                     "value": typed.get("tracking", "1Z999AA10123456784")}},
              "ship_date": {"value": {"type": "datepicker", "selected_date": view["blocks"][4][
                  "element"]["initial_date"]}},
              "method": {"value": {"type": "plain_text_input", "value": None}}}
    status, body = served.interact({
        # Each submission carries a fresh trigger_id, as Slack's do.
        "type": "view_submission", "trigger_id": uuid.uuid4().hex,
        "user": {"id": "U0000PAT"}, "team": {"id": "T0001"},
        "view": {"id": "V0007", "type": "modal", "callback_id": "confirm_shipment_form",
                 "private_metadata": view["private_metadata"], "state": {"values": values}}})
    assert status == 200
    return json.loads(body) if body else {}


def test_confirm_shipment_from_slack(served, slack, amazon):
    served.command("/orders", ORDER, "one")
    answer = slack.wait("webhook/one")[0].body
    button = next(e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert (button["action_id"], button["value"]) == ("confirm_shipment", ORDER)

    with served.stalled():  # the form opens after the ack, never before it
        click(served, ORDER)
    form = view_of(slack.wait("views.open")[0])
    assert form["callback_id"] == "confirm_shipment_form" and ORDER in json.dumps(form)

    refused = submit(served, form, tracking="1Z9 <!channel>")
    assert refused["response_action"] == "errors" and "tracking" in refused["errors"]
    assert amazon.orders[ORDER].confirmations == []

    with served.stalled():  # Amazon is asked after the ack
        working = submit(served, form)
    assert working["response_action"] == "update"
    said = json.dumps(view_of(slack.wait("views.update")[0]))
    assert "shipment confirmed to Amazon by <@U0000PAT>" in said and "UPS 1Z999AA10123456784" in said
    thread = slack.wait("chat.postMessage")[0].body
    assert (thread["channel"], thread["thread_ts"]) == ("C0000ORDERS", "1795000500.000500")
    with Database.open(f"sqlite:///{served.database}").begin() as conn:
        assert queries.get_order(conn, ORDER).status == "Shipped"

    submit(served, form)  # a second submission: nothing goes to Amazon again
    assert "already confirmed" in json.dumps(view_of(slack.wait("views.update", 2)[1]))
    assert len(amazon.orders[ORDER].confirmations) == 1


def test_amazons_refusal_shows_in_the_form_in_amazons_words(served, slack, amazon):
    amazon.fail(f"/orders/v0/orders/{OTHER}/shipmentConfirmation", 400, body={"errors": [{
        "code": "InvalidInput", "message": "Tracking number already used for another order"}]})
    click(served, OTHER)
    submit(served, view_of(slack.wait("views.open")[0]))
    said = json.dumps(view_of(slack.wait("views.update")[0]))
    assert "Tracking number already used for another order" in said and ":x:" in said
    time.sleep(0.3)
    assert slack.called("chat.postMessage") == []


def confirm_privately(served: Served, slack, hook: str, from_list: bool = False) -> None:
    """Confirm ORDER from the button of a private answer (at `hook`), or picked from a private
    list's menu, and submit the form."""
    action = ({"type": "static_select", "selected_option": {"value": ORDER}} if from_list
              else {"type": "button", "value": ORDER})
    served.interact({
        "type": "block_actions", "user": {"id": "U0000PAT"}, "team": {"id": "T0001"},
        "channel": {"id": "C0000ORDERS"}, "trigger_id": f"4.4.{hook}",
        "response_url": slack.webhook(hook),
        "container": {"type": "message", "message_ts": "1.0", "is_ephemeral": True},
        "actions": [{**action, "action_id": "confirm_shipment", "block_id": "confirm",
                     "action_ts": "1.2"}]})
    submit(served, view_of(slack.wait("views.open")[0]))


def test_a_private_answer_is_replaced_by_the_order_as_it_now_stands(served, slack, amazon):
    confirm_privately(served, slack, "mine")
    replaced = slack.wait("webhook/mine")[0].body
    text = json.dumps(replaced)
    assert replaced["replace_original"] is True
    assert "Shipment confirmed to Amazon by <@U0000PAT>" in text and "confirm_shipment" not in text
    assert slack.called("chat.postMessage") == []  # nothing public for a private answer


def test_a_private_list_stays_when_an_order_is_confirmed_from_it(served, slack, amazon):
    # /orders today's list, privately: its menu confirms one order, and the list is still
    # there for the next one (it was replaced by the one order confirmed).
    confirm_privately(served, slack, "list", from_list=True)
    answer = slack.wait("webhook/list")[0].body
    assert answer["replace_original"] is False
    assert "Shipment confirmed to Amazon by <@U0000PAT>" in json.dumps(answer)
    assert slack.called("chat.postMessage") == []


def test_a_private_answer_slack_no_longer_takes_is_logged(served, slack, amazon):
    # The form stayed open past the response_url's 30 minutes: the new answer is refused.
    slack.fail("webhook/spent", status=404, error="expired_url")
    confirm_privately(served, slack, "spent")
    slack.wait("webhook/spent")
    deadline = time.monotonic() + 10
    while "Slack refused the answer" not in served.logged() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Slack refused the answer to confirm_shipment: 404 expired_url" in served.logged()


def test_a_form_slack_cannot_be_reached_to_update_still_gets_the_thread_note(
        served, slack, amazon):
    click(served, OTHER)
    form = view_of(slack.wait("views.open")[0])
    slack.drop("views.update", times=2)  # its connection drops, and on slack_sdk's retry
    submit(served, form)
    # Amazon has it and the store says Shipped: the digest's thread is told all the same.
    notes = slack.wait("chat.postMessage", timeout=10)
    assert notes[0].body["thread_ts"] == "1795000500.000500"
    assert "shipment confirmed to Amazon" in json.dumps(notes[0].body)
    assert len(amazon.orders[OTHER].confirmations) == 1
    assert f"shipment of {OTHER} confirmed" in served.logged()


def test_a_private_answer_is_shown_again_though_the_form_could_not_be_updated(
        served, slack, amazon):
    slack.drop("views.update", times=2)
    confirm_privately(served, slack, "mine3")
    replaced = slack.wait("webhook/mine3", timeout=10)[0].body
    assert "Shipment confirmed to Amazon by <@U0000PAT>" in json.dumps(replaced)
    assert len(amazon.orders[ORDER].confirmations) == 1


def test_a_form_closed_while_amazon_answers_still_gets_the_thread_note(served, slack, amazon):
    click(served, OTHER)
    form = view_of(slack.wait("views.open")[0])
    slack.fail("views.update", error="not_found")  # the person closed the form meanwhile
    submit(served, form)
    assert slack.wait("chat.postMessage")[0].body["thread_ts"] == "1795000500.000500"
    assert len(amazon.orders[OTHER].confirmations) == 1
