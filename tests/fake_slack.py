"""A local fake of Slack's Web API and response_url webhooks, spoken to over real HTTP.

It answers the methods sellerbot calls as Slack documents them, records every call, and can be
told to answer a method with 429 + Retry-After, a 500, or an error such as channel_not_found.
"""

import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from tests.fake_http import QuietHandler, serve


@dataclass
class Call:
    """One request the fake received."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    # When it arrived (time.perf_counter): how long an answer took, for bench/slack_ack.py.
    received: float = field(default_factory=time.perf_counter)

    @property
    def method(self) -> str:
        """The Web API method (chat.postMessage) or webhook path."""
        return self.path.removeprefix("/api/")


@dataclass
class _Scripted:
    status: int | None  # None: Slack's own answer
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    # Do what was asked (post the message) before failing: Slack stored it, the answer is lost.
    done: bool = False
    delay: float = 0.0
    channel: str | None = None  # only for a call to this channel


class FakeSlack:
    """Start with `FakeSlack()`; stop with `.close()`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        # conversations.replies answers from here: (channel, thread_ts) -> messages, oldest first.
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        # conversations.history answers from here: channel -> messages posted, oldest first.
        self.history: dict[str, list[dict[str, Any]]] = {}
        # Files uploaded (files_upload_v2): file id -> bytes, and its name as asked for.
        self.uploads: dict[str, bytes] = {}
        self.file_names: dict[str, str] = {}
        # What apps.connections.open hands out (a FakeSocketMode's url).
        self.socket_url = "ws://127.0.0.1:9/"
        self._script: dict[str, list[_Scripted]] = {}
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._open = threading.Event()
        self._open.set()
        fake = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                # slack_sdk sends some methods (conversations.history) as GET with a query.
                path, _, query = self.path.partition("?")
                self._reply(path, {k: v[0] for k, v in parse_qs(query).items()})

            def do_POST(self) -> None:
                if self.path.startswith("/upload/"):  # files_upload_v2's second step: bytes
                    data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                    with fake._lock:
                        fake.uploads[self.path.removeprefix("/upload/")] = data
                    self.answer(200, b"OK - %d" % len(data), {}, content_type="text/plain")
                    return
                self._reply(self.path, self.body())

            def _reply(self, path: str, body: dict[str, Any]) -> None:
                self.path = path
                fake._open.wait(30)
                status, answer, headers = fake._answer(self.path, body)
                fake._record(Call(self.path, body, dict(self.headers), status))
                if status == 0:
                    # Hang up without answering, as a dropped connection or a crashed proxy does.
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if status == -1:
                    # Half an answer, then nothing: the connection died on the way back.
                    data = json.dumps(answer).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if status == -2:  # a body that is not Slack's
                    self.answer(answer["status"], answer["page"], {}, content_type="text/html")
                    return
                self.answer(status, json.dumps(answer).encode(), headers)

        self._server = serve(Handler)

    @property
    def url(self) -> str:
        """The fake's base URL."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def api_url(self) -> str:
        """What SLACK_API_URL should be."""
        return self.url + "api/"

    def webhook(self, name: str) -> str:
        """A response_url that lands here."""
        return f"{self.url}webhook/{name}"

    def fail(self, method: str, status: int = 200, error: str | None = None,
             retry_after: int | None = None, *, done: bool = False,
             channel: str | None = None) -> None:
        """Answer the next call of `method` (to `channel`, when given) with an error instead
        of success; with `done`, after doing what it asked (a 500 from a Slack that stored the
        message anyway)."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        body = {"ok": False, "error": error or ("ratelimited" if status == 429 else "fatal_error")}
        with self._lock:
            self._script.setdefault(method, []).append(_Scripted(status, body, headers,
                                                                 done=done, channel=channel))

    def drop(self, method: str, times: int = 1, *, done: bool = False) -> None:
        """Hang up on the next `times` calls of `method` without any answer; with `done`,
        after doing what they asked (the connection died on the way back)."""
        with self._lock:
            self._script.setdefault(method, []).extend(
                _Scripted(0, {}, done=done) for _ in range(times))

    def cut(self, method: str) -> None:
        """Do the next call of `method`, then send only half its answer and hang up."""
        with self._lock:
            self._script.setdefault(method, []).append(_Scripted(-1, {}, done=True))

    def garble(self, method: str, page: bytes = b"", *, done: bool = False,
               status: int = 200) -> None:
        """Answer the next call of `method` with a body that is not Slack's JSON: nothing (the
        connection closed after the headers) or a proxy's page, with `status`; with `done`,
        after doing what it asked."""
        with self._lock:
            self._script.setdefault(method, []).append(
                _Scripted(-2, {"page": page, "status": status}, done=done))

    def slow(self, method: str, seconds: float) -> None:
        """Do the next call of `method` at once but answer it only after `seconds`."""
        with self._lock:
            self._script.setdefault(method, []).append(
                _Scripted(None, {}, done=True, delay=seconds))

    @contextmanager
    def held(self) -> Iterator[None]:
        """Keep every call waiting for its answer until the block ends."""
        self._open.clear()
        try:
            yield
        finally:
            self._open.set()

    def reset_script(self) -> None:
        """Forget the scripted failures still waiting; keep the calls and the history."""
        with self._lock:
            self._script.clear()

    def reset(self) -> None:
        """Forget the calls and any scripted failures."""
        with self._lock:
            self.calls.clear()
            self._script.clear()
            self.threads.clear()
            self.history.clear()

    def called(self, method: str) -> list[Call]:
        """The calls of one method or webhook, in order."""
        with self._lock:
            return [c for c in self.calls if c.method == method or c.path == f"/{method}"]

    def wait(self, method: str, count: int = 1, timeout: float = 10) -> list[Call]:
        """Wait until `method` was called `count` times; return those calls."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.called(method)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{method} called {len(self.called(method))} times, not {count}")

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict]:
        # A webhook is scripted by its path, with or without the leading slash.
        method = path.removeprefix("/api/")
        if method.startswith("/") and method.removeprefix("/") in self._script:
            method = method.removeprefix("/")
        with self._lock:
            scripted = self._script.get(method) or []
            mine = [n for n, step in enumerate(scripted)
                    if step.channel in (None, body.get("channel"))]
            step = scripted.pop(mine[0]) if mine else None
        if step is not None and not step.done:
            return step.status or 0, step.body, step.headers
        answer = self._do(path, method, body)
        if step is None:
            return answer
        time.sleep(step.delay)
        if step.status is None:
            return answer
        if step.status == -1:  # half of Slack's own answer is sent
            return -1, answer[1], answer[2]
        return step.status, step.body, step.headers

    def _do(self, path: str, method: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict]:
        """What Slack does with a call, and its answer."""
        if path.startswith("/webhook/"):
            return 200, {"ok": True}, {}
        # Slack's ts is the post's epoch time (unique per channel): conversations.history's
        # `oldest` filters by it.
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        answers: dict[str, dict[str, Any]] = {
            "auth.test": {"ok": True, "url": "https://example.slack.com/", "team": "Example",
                          "user": "sellerbot", "team_id": "T0001", "user_id": "UBOT",
                          "bot_id": "BBOT"},
            "chat.postMessage": {"ok": True, "channel": body.get("channel"), "ts": ts,
                                 "message": {"text": body.get("text"), "ts": ts}},
            "chat.postEphemeral": {"ok": True, "message_ts": ts},
            "chat.update": {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")},
            "views.open": {"ok": True, "view": {"id": "V0001", "hash": "h1"}},
            "views.update": {"ok": True, "view": {"id": body.get("view_id"), "hash": "h2"}},
            "views.publish": {"ok": True, "view": {"id": "V0002", "hash": "h3"}},
            # Socket Mode: where to connect (tests/fake_socket_mode.py), once socket_url is set.
            "apps.connections.open": {"ok": True, "url": self.socket_url},
        }
        if method == "chat.postMessage":
            posted = {"type": "message", "ts": ts, "text": body.get("text"),
                      "blocks": body.get("blocks") or []}
            if isinstance(body.get("metadata"), dict):
                posted["metadata"] = body["metadata"]
            with self._lock:
                # A reply in a thread is in the thread, not in the channel's history.
                if body.get("thread_ts"):
                    self.threads.setdefault((str(body.get("channel")), str(body["thread_ts"])),
                                            []).append(posted)
                else:
                    self.history.setdefault(str(body.get("channel")), []).append(posted)
        if method == "chat.update":
            with self._lock:
                for posted in self.history.get(str(body.get("channel")), []):
                    if posted["ts"] == body.get("ts"):
                        posted.update(text=body.get("text"), blocks=body.get("blocks") or [])
        if method == "conversations.history":
            return 200, self._history(body), {}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            with self._lock:
                self.file_names[file_id] = str(body.get("filename"))
            return 200, {"ok": True, "file_id": file_id,
                         "upload_url": f"{self.url}upload/{file_id}"}, {}
        if method == "files.completeUploadExternal":
            return 200, self._complete_upload(body, ts), {}
        if method == "conversations.replies":
            thread = self.threads.get((body.get("channel"), body.get("ts")))
            if thread is None:  # a message without replies is a thread of itself
                thread = [m for m in self.history.get(str(body.get("channel")), [])
                          if m["ts"] == body.get("ts")] or None
            if thread is None:
                return 200, {"ok": False, "error": "thread_not_found"}, {}
            return 200, {"ok": True, "messages": thread[: int(body.get("limit") or 100)],
                         "has_more": False}, {}
        if method in answers:
            return 200, answers[method], {}
        return 200, {"ok": False, "error": "unknown_method"}, {}

    def _complete_upload(self, body: dict[str, Any], ts: str) -> dict[str, Any]:
        """files.completeUploadExternal: the uploaded files shared as one message, in the
        thread given (thread_ts) or the channel."""
        files = body.get("files")
        files = json.loads(files) if isinstance(files, str) else files or []
        with self._lock:
            if any(f["id"] not in self.uploads for f in files):
                return {"ok": False, "error": "file_not_found"}
            shared = [{"id": f["id"], "title": f.get("title"), "name": self.file_names[f["id"]]}
                      for f in files]
            posted = {"type": "message", "ts": ts, "text": body.get("initial_comment") or "",
                      "files": shared}
            channel, thread = str(body.get("channel_id")), body.get("thread_ts")
            if thread:
                self.threads.setdefault((channel, str(thread)), []).append(posted)
            else:
                self.history.setdefault(channel, []).append(posted)
        return {"ok": True, "files": shared}

    def _history(self, body: dict[str, Any]) -> dict[str, Any]:
        """conversations.history: newest first, after `oldest` and up to `latest` (itself too
        when `inclusive`); metadata only when asked."""
        with self._lock:
            messages = self.history.get(str(body.get("channel")), [])
        oldest = float(body.get("oldest") or 0)
        if body.get("latest"):
            latest = float(body["latest"])
            inclusive = str(body.get("inclusive")).lower() in ("1", "true")
            messages = [m for m in messages
                        if float(m["ts"]) < latest or (inclusive and float(m["ts"]) == latest)]
        include = str(body.get("include_all_metadata")).lower() in ("1", "true")
        found = [
            m if include else {k: v for k, v in m.items() if k != "metadata"}
            for m in reversed(messages) if float(m["ts"]) > oldest
        ]
        return {"ok": True, "messages": found[: int(body.get("limit") or 100)],
                "has_more": False}
