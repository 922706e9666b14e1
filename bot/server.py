"""Serving Slack: HTTP behind waitress (a production WSGI server), or Socket Mode."""

import errno
import gc
import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import waitress
from slack_bolt import App, BoltContext, BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request.internals import build_context
from slack_sdk.errors import SlackApiError

from bot.app import create_app
from bot.config import Settings
from bot.errors import ConfigError, SellerbotError
from bot.render import message
from bot.slack import verification
from bot.slack.watchdog import Watchdog
from bot.usecases import digests
from bot.wiring import Database, open_database

log = logging.getLogger(__name__)

# Request threads of the HTTP server: each only verifies, dispatches and waits for the ack.
HTTP_THREADS = 16
# A statement a Slack request runs longer than this (seconds, PostgreSQL) is ended: a request
# is answered within seconds, and a stuck query must not hold a listener thread for ever.
STATEMENT_TIMEOUT = 30
# Seconds between GIL hand-overs while serving (CPython's default is 0.005).
ACK_SWITCH_INTERVAL = 0.001

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _start_jobs(settings: Settings, app: App) -> None:
    """Start the scheduler (digests, sync, clean-up) beside the Slack app, with its Web API
    client and a database of its own: STATEMENT_TIMEOUT is for requests, and the nightly
    clean-up of a large history may rightly take longer."""
    from bot import jobs

    if not settings.digests:
        log.warning("%s", message("schedule", "no_digest_channel"))
    # Half of the buyer-message settings: say which half is missing.
    if settings.mailbox_configured != (settings.buyer_messages_channel is not None):
        log.warning("%s", message("schedule", "buyer_messages_half_set",
                                  mailbox=settings.mailbox_configured))

    # Part of the SP-API settings: no sync would run, and nothing would say why.
    if 0 < len(settings.sp_api_unset) < 3:
        log.warning("%s", message("schedule", "sp_api_half_set", missing=settings.sp_api_unset))

    jobs.start(settings, Database(settings.database_url), app.client)


def wsgi_app(app: App, db: Database, signing_secret: str) -> Wsgi:
    """Slack at POST /slack/events, and GET /healthz for load balancers and uptime checks.

    Every POST is verified here (bot/slack/verification.py) before Bolt sees it: a request
    that fails gets its status and nothing else.
    """
    replays = verification.Replays()

    def slack(environ: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
        if environ.get("REQUEST_METHOD") != "POST":
            return 405, {"allow": ["POST"]}, ""
        try:
            body = verification.read_body(environ)
            headers = WsgiHttpRequest(environ).get_headers()  # reads no body
            text = verification.verify(body, headers, signing_secret, time.time(), replays)
            request = BoltRequest(body=text, query=str(environ.get("QUERY_STRING") or ""),
                                  headers=headers, context={verification.VERIFIED: True})
            if text and not request.body:
                # Bolt takes any form holding the letters "payload" for an interaction and
                # finds nothing in it (verification.parsed): read it here, and the context that
                # follows from it. Bolt's own reading stands otherwise: no body read twice.
                request.body = verification.parsed(text, request.content_type)
                request.context = build_context(BoltContext({verification.VERIFIED: True}),
                                                request.body)
        except verification.Refused as refused:
            log.warning("refused a request to /slack/events: %s (%d)", refused.why,
                        refused.status)
            return refused.status, {}, ""
        except ValueError:  # signed by Slack, yet not the JSON or form it claims to be
            log.warning("refused a signed request whose body could not be parsed (400)")
            return 400, {}, ""
        answer = app.dispatch(request)
        return answer.status, answer.headers, answer.body

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            health = digests.health(db, datetime.now(UTC))
            status = 200 if health.database_ok else 503
            body = json.dumps({
                "database": "ok" if health.database_ok else "unreachable",
                "data_as_of": health.last_data.isoformat() if health.last_data else None,
                "stale": health.stale,
            })
            headers: dict[str, Any] = {"content-type": ["application/json"]}
        elif path == "/slack/events":
            status, headers, body = slack(environ)
        else:
            status, headers, body = 404, {}, ""
        response = WsgiHttpResponse(status=status, headers=headers, body=body)
        start_response(response.status, response.get_headers())
        return response.get_body()

    return application


def _favour_acks() -> None:
    # Answers are computed on listener threads while other threads wait to send acks, and
    # CPython hands the GIL over only every 5 ms by default: a handful of busy listeners then
    # delay an ack by whole seconds. A 1 ms switch interval keeps acks near-immediate under load
    # (bench/slack_ack.py) for a little more switching overhead.
    sys.setswitchinterval(ACK_SWITCH_INTERVAL)


def settle() -> None:
    """Leave the objects start-up made out of the garbage collector's walks from now on."""
    # Start-up leaves some 90,000 objects (Slack, SQLAlchemy, the settings, the templates)
    # that live as long as the server. A digest or a long list makes tens of thousands that
    # live for a moment, enough for CPython to start a full collection every other digest, and
    # each walked all of start-up's objects too: with 30,000 open orders, every other digest
    # took 190-200 ms instead of 120-130 (bench/digest.py). Frozen, start-up's objects are not
    # walked; they live as long as they did.
    gc.freeze()


def serve_http(settings: Settings) -> None:
    """Serve on HOST:PORT until stopped."""
    for name in ("slack_bot_token", "slack_signing_secret"):
        settings.secret(name)  # a missing one stops start-up before anything else happens
    _favour_acks()
    db = open_database(settings, statement_timeout=STATEMENT_TIMEOUT)
    app = create_app(settings, db)
    try:
        server = waitress.create_server(
            wsgi_app(app, db, settings.secret("slack_signing_secret")),
            host=settings.host, port=settings.port, threads=HTTP_THREADS, ident="sellerbot",
            # waitress refuses a bigger body itself (413) before buffering it.
            max_request_body_size=verification.MAX_BODY_BYTES)
    except OSError as exc:  # bound before the jobs start, so a failure leaves nothing running
        code = {errno.EADDRINUSE: "port_in_use", errno.EACCES: "port_not_allowed"}.get(
            exc.errno or 0, "port_unusable")
        raise SellerbotError(code, host=settings.host, port=settings.port,
                             reason=exc.strerror or type(exc).__name__) from None
    settle()
    _start_jobs(settings, app)
    log.info("serving Slack on http://%s:%d/slack/events", settings.host, settings.port)
    server.run()


def serve_socket(settings: Settings) -> None:
    """Serve over Socket Mode (no public URL needed) until stopped."""
    for name in ("slack_bot_token", "slack_app_token"):
        settings.secret(name)  # a missing one stops start-up before anything else happens
    _favour_acks()
    db = open_database(settings, statement_timeout=STATEMENT_TIMEOUT)
    app = create_app(settings, db, socket_mode=True)
    settle()
    handler = SocketModeHandler(app, settings.secret("slack_app_token"))
    try:
        # Connected before the jobs start: a token Slack refuses (revoked, or the bot token
        # pasted in its place) stops start-up in one line, as SLACK_BOT_TOKEN's does.
        handler.connect()
    except SlackApiError as exc:
        raise ConfigError("slack_app_token_refused",
                          error=str(exc.response.get("error") or "")[:80]) from None
    _start_jobs(settings, app)
    log.info("serving Slack over Socket Mode")
    Watchdog(handler.client).start()
    threading.Event().wait()  # as handler.start() waits, once connected
