"""Acknowledgement speed: 400 signed `/orders today` requests, 8 at a time, against
`sellerbot serve` over a SQLite database of 1,000,000 orders.

Starts the fake Slack from the tests (Web API and response_url), starts `sellerbot serve` as
its own process on loopback, sends the requests as Slack does (form-encoded and signed), and
times each until its HTTP acknowledgement. Every answer must then arrive at response_url.

Targets: no error, p99 acknowledgement under 150 ms (issue 4); every answer at response_url
within 10 s of the first request, each answer's latency (request sent to answer arrived)
printed as p50 and p99 (issue 18).

    python bench/slack_ack.py [--requests 400] [--concurrency 8] [--orders N] [--keep FILE]
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from digest import build  # noqa: E402 - the same million orders as bench/digest.py

from bot.store import Database  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402

SECRET = "bench-signing-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="build the database here once and reuse it "
                        "(on the same day: its orders are placed relative to when it was built)")
    parser.add_argument("--text", default="today",
                        help="what /orders asks for: today (the default) or at-risk, which "
                             "lists every late order")
    args = parser.parse_args()
    database = args.keep or Path(tempfile.mkdtemp(prefix="sellerbot-bench-")) / "orders.db"
    if not database.exists():
        started = time.perf_counter()
        # Placed over the two years before now: the server answers as of its own clock, and
        # "today" must hold what a seller's today holds (due today, placed today).
        build(f"sqlite:///{database}", args.orders, as_of=datetime.now(UTC))
        print(f"built {args.orders:,} orders in {time.perf_counter() - started:.0f} s")
    Database(f"sqlite:///{database}").upgrade()  # a kept file may predate the newest schema

    fake = FakeSlack()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ALLOWED_"))}
    env.update(DATABASE_URL=f"sqlite:///{database}", SLACK_API_URL=fake.api_url,
               SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SECRET, HOST="127.0.0.1",
               PORT=str(port))
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if server.poll() is not None:
                raise SystemExit("sellerbot serve exited; run it by hand to see why")
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        verifier = SignatureVerifier(SECRET)

        sent: dict[int, float] = {}

        def one(n: int) -> tuple[float, int]:
            body = urlencode({
                "command": "/orders", "text": args.text, "team_id": "T0001",
                "channel_id": "C0000ORDERS", "user_id": "U0000PAT", "api_app_id": "A0001",
                "response_url": fake.webhook(f"r{n}"), "trigger_id": f"{n}.1",
            })
            ts = str(int(time.time()))
            request = urllib.request.Request(
                f"{url}/slack/events", data=body.encode(), method="POST",
                headers={"Content-Type": "application/x-www-form-urlencoded",
                         "X-Slack-Request-Timestamp": ts,
                         "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=body)})
            started = sent[n] = time.perf_counter()
            with urllib.request.urlopen(request, timeout=10) as answer:
                status = answer.status
                answer.read()
            return (time.perf_counter() - started) * 1000, status

        one(-1)  # warm up: first queries load the page cache
        fake.wait("webhook/r-1", timeout=60)
        fake.reset()
        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(one, range(args.requests)))
        took = time.perf_counter() - started
        answers = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            answers = [c for c in fake.calls if c.path.startswith("/webhook/")]
            if len(answers) >= args.requests:
                break
            time.sleep(0.1)
        answered_by = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
        fake.close()

    times = sorted(t for t, _ in results)
    errors = sum(status != 200 for _, status in results)
    bad_answers = sum("blocks" not in call.body for call in answers)
    p50 = statistics.median(times)
    p99 = times[max(0, round(len(times) * 0.99) - 1)]
    print(f"{args.requests} requests for /orders {args.text}, {args.concurrency} at a time, "
          f"in {took:.1f} s; "
          f"all {len(answers)} answers at response_url within {answered_by:.1f} s")
    print(f"ack: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {times[-1]:.1f} ms "
          f"(target p99 under 150 ms: {'met' if p99 < 150 else 'MISSED'})")
    latencies = sorted((call.received - sent[int(call.path.rsplit("/r", 1)[1])]) * 1000
                       for call in answers)
    if latencies:
        a99 = latencies[max(0, round(len(latencies) * 0.99) - 1)]
        print(f"answer (request sent to answer at response_url): p50 "
              f"{statistics.median(latencies):.0f} ms, p99 {a99:.0f} ms, max {latencies[-1]:.0f} ms"
              f" (target: all within 10 s: {'met' if answered_by < 10 else 'MISSED'})")
    print(f"errors: {errors} HTTP, {args.requests - len(answers)} missing answers, "
          f"{bad_answers} answers without blocks")


if __name__ == "__main__":
    main()
