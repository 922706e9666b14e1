"""No buyer personal data reaches the store or the logs (Amazon's Data Protection Policy).

The invented seller's reports and v0 responses (tests/fixtures/seller) carry fake buyer names,
streets, cities, ZIP codes, e-mails, phones and PO numbers; the v2026 fixtures carry Amazon's own
example buyers, recipients, tax ids and gift messages.
Every one of those values is collected from the files themselves and searched for in every
column of every stored row, and in everything logged while importing.
"""

import json
import logging
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.usecases.import_files import import_order
from bot.usecases.imports import import_file
from tests.conftest import FIXTURES, SAMPLES, SP_API_V0, stored

# Columns of the report files that hold personal data (privacy.md §3.1).
DROPPED = {
    "all-orders.txt": ("ship-city", "ship-state", "ship-postal-code", "cpf", "purchase-order-number"),
    "unshipped-orders.txt": (
        "buyer-email", "buyer-phone-number", "recipient-name", "ship-address-1", "ship-address-2",
        "ship-address-3", "ship-city", "ship-state", "ship-postal-code", "purchase-order-number",
    ),
    "returns.txt": ("Tracking ID",),
}
# Keys of API objects that hold personal data (privacy.md §3.2).
PERSONAL_KEYS = {"buyer", "recipient", "taxRegistrations", "giftMessage", "customization",
                 "ShippingAddress", "BuyerInfo", "acquirerId", "cardBrand", "authorizationCode"}

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # the samples' moment


def report_values(name: str) -> set[str]:
    lines = (SAMPLES / name).read_text().splitlines()
    header = lines[0].split("\t")
    positions = [header.index(column) for column in DROPPED[name]]
    values = set()
    for line in lines[1:]:
        fields = line.split("\t")
        values.update(fields[p].strip() for p in positions)
    return {v for v in values if len(v) >= 3}


def json_values(node, inside: bool = False) -> set[str]:
    values = set()
    if isinstance(node, dict):
        for key, value in node.items():
            values |= json_values(value, inside or key in PERSONAL_KEYS)
    elif isinstance(node, list):
        for value in node:
            values |= json_values(value, inside)
    elif inside and isinstance(node, str) and len(node) >= 3:
        values.add(node)
    return values


V0 = sorted(SP_API_V0.glob("*.json"))
V2026 = sorted((FIXTURES / "sp-api-v2026").glob("*.json"))

PERSONAL = set().union(*(report_values(name) for name in DROPPED)) | set().union(
    *(json_values(json.loads(path.read_text())) for path in V0 + V2026)
)
# Values that are personal in one place but ordinary words or codes elsewhere.
PERSONAL -= {"US", "BR", "COMMERCIAL", "RESIDENTIAL", "BUYER", "MERCHANT", "MARKETPLACE", "VAT",
             "CNPJ", "CreditCard", "Visa", "PREMIUM", "true", "false"}


def leaks(value: object) -> list[str]:
    """The personal values found in a stored or logged value.

    Numbers (ZIP codes, street numbers, tax ids) count only as a whole value: Amazon's example
    ids are runs like 1234567890 that contain them by chance.
    """
    text = str(value)
    return [p for p in PERSONAL if (p == text if p.replace(".", "").isdigit() else p in text)]


def test_the_fixtures_really_carry_personal_data():
    # Guards the test below against passing because it searched for nothing.
    # The first line of unshipped-orders.txt (order #19), the v0 BuyerInfo and ShippingAddress
    # of order #29, and Amazon's example.
    assert {"Sample Buyer 19", "803 Sample Lane", "Raleigh", "27601", "919-555-0119",
            "+1 312-555-0129", "Receiving Dock C",
            "John Smith", "Happy Holidays! Enjoy your new smart speakers."} <= PERSONAL
    assert any(v.endswith("@marketplace.amazon.com") for v in PERSONAL)
    assert "02108" in PERSONAL  # a ZIP code with its leading zero
    assert "9202724087457213377814" in PERSONAL  # a return tracking number


def test_no_personal_data_is_stored_or_logged(db, seller, caplog):
    caplog.set_level(logging.DEBUG)
    paths = [SAMPLES / name for name in DROPPED] + import_order(
        V0 + V2026)
    for path in paths:
        import_file(db, path, seller, now=NOW)
    tables = stored(db)
    # Everything was read: the 34 orders of the reports (the 8 v0 orders are 8 of them) and the
    # 3 of the v2026 examples, their 40 + 4 lines, the 10 returns.
    assert {table: len(rows) for table, rows in tables.items()} == {
        "orders": 37, "order_items": 44, "returns": 10}
    found = [
        (table, column, value)
        for table, rows in tables.items()
        for row in rows
        for column, value in row.items()
        if value is not None and leaks(value)
    ]
    assert found == []
    logged = [record.getMessage() for record in caplog.records]
    assert len(logged) >= len(paths)
    # Whole messages: a name like "John Smith" spans words.
    words = [word for line in logged for word in line.split()]
    assert [p for p in PERSONAL if not p.replace(".", "").isdigit() and any(p in line for line in logged)] == []
    assert [word for word in words if leaks(word)] == []


def test_a_rejected_file_echoes_no_personal_data(db, seller, tmp_path: Path):
    # A shifted row must not be read on: its personal values would land in kept columns.
    lines = (SAMPLES / "unshipped-orders.txt").read_text().splitlines(keepends=True)
    fields = lines[1].split("\t")
    del fields[7]  # buyer-email gone: buyer-phone-number now sits under buyer-email, ...
    path = tmp_path / "shifted.txt"
    path.write_text(lines[0] + "\t".join(fields))
    from bot.errors import ImportRejected
    from bot.render import message

    with pytest.raises(ImportRejected) as rejected:
        import_file(db, path, seller, now=NOW)
    text = message("errors", rejected.value.code, **rejected.value.params)
    assert "expected 27 tab-separated fields" in text
    assert [p for p in PERSONAL if not p.replace(".", "").isdigit() and p in text] == []
    assert [word for word in text.split() if leaks(word)] == []


def test_review_requests_keep_and_log_no_personal_data(db, amazon, live, caplog):
    from bot import wiring
    from bot.policy import review_window
    from bot.sources.solicitations import SolicitationsApi
    from bot.store.models import REVIEW_REQUESTS
    from bot.usecases import reviews

    caplog.set_level(logging.DEBUG)
    settings = live(review_requests="manual")
    seller = wiring.seller_of(settings)
    for path in import_order(V0 + V2026):
        import_file(db, path, seller, now=NOW)
    api = SolicitationsApi(settings, review_window(), sleep=lambda seconds: None)
    first = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
    due = reviews.reviews_due(db, seller, first).due
    assert due  # the personal-data orders are asked for
    amazon.fail(f"/solicitations/v1/orders/{due[0].order.order_id}/solicitations", 400)
    # Refused with Amazon's words first, then sent: both kinds of row are looked at.
    for outcome in (reviews.Asked.FAILED, reviews.Asked.SENT):
        results = reviews.request_due(db, api, seller, first).results
        assert [r.asked for r in results] == [outcome] * len(due)
        with db.begin() as conn:
            rows = [dict(row._mapping) for row in conn.execute(REVIEW_REQUESTS.select())]
        assert {row["status"] for row in rows} == {outcome.value}
        assert [(column, value) for row in rows for column, value in row.items()
                if value is not None and leaks(value)] == []
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert [word for word in logged.split() if leaks(word)] == []


@pytest.mark.parametrize("client", ["bot.sources.sp_api", "bot.sources.solicitations"])
def test_no_sp_api_client_lets_the_library_log_the_access_token(client):
    # python-amazon-sp-api logs request headers (the token) at DEBUG; --debug must not show them.
    level = subprocess.run(
        [sys.executable, "-c", f"import logging, {client}; logging.basicConfig(level=10); "
         "print(logging.getLogger('sp_api').getEffectiveLevel())"],
        capture_output=True, text=True, check=True).stdout.strip()
    assert int(level) >= logging.WARNING


def test_a_response_url_is_never_logged_when_its_answer_is_sent_again(slack, caplog):
    # A response_url is a credential from the request's body: whoever holds it may answer in
    # the channel for 30 minutes. slack_sdk logs the URL it retries at INFO, the level
    # `sellerbot serve` logs at; the answer's connection drops once, so it is retried.
    from slack_sdk.webhook import WebhookClient

    import bot.app  # noqa: F401 (its logging settings)

    caplog.set_level(logging.INFO)
    slack.drop("/webhook/secret-token-abc123")
    WebhookClient(slack.webhook("secret-token-abc123")).send(text="Orders due today: 3")
    slack.wait("webhook/secret-token-abc123", count=2)
    assert [record.getMessage() for record in caplog.records
            if "secret-token-abc123" in record.getMessage()] == []
