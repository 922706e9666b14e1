"""A local fake of Slack's Socket Mode WebSocket endpoint (RFC 6455, no TLS), for the real
slack_sdk client: it says hello, answers pings with pongs, and then sends nothing at all, as a
Slack connection that has gone silent does (bolt-python #1529, python-slack-sdk #1701)."""

import base64
import hashlib
import json
import socket
import struct
import threading
import time

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 §1.3


def _frame(opcode: int, payload: bytes) -> bytes:
    """A server frame: final, unmasked."""
    head = bytes([0x80 | opcode])
    if len(payload) < 126:
        return head + bytes([len(payload)]) + payload
    return head + bytes([126]) + struct.pack("!H", len(payload)) + payload


def _read_exactly(conn: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = conn.recv(count - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


class FakeSocketMode:
    """Start with `FakeSocketMode()`; `url` is what apps.connections.open hands out."""

    def __init__(self, chatty_every: float | None = None) -> None:
        self.connections = 0
        # Send an event this often instead of going silent: a connection that is alive.
        self.chatty_every = chatty_every
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(8)
        self._open = True
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        """The WebSocket URL (ws://, a port other than 443: slack_sdk speaks it without TLS)."""
        return f"ws://127.0.0.1:{self._server.getsockname()[1]}/link/?ticket=fake"

    def close(self) -> None:
        """Stop accepting connections."""
        self._open = False
        self._server.close()

    def _accept(self) -> None:
        while self._open:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _chat(self, conn: socket.socket) -> None:
        """An app_home_opened event every `chatty_every` seconds, as Slack delivers events."""
        number = 0
        try:
            while self._open:
                time.sleep(self.chatty_every or 0)
                number += 1
                event = {"envelope_id": f"env-{number}", "type": "events_api",
                         "accepts_response_payload": False,
                         "payload": {"type": "event_callback", "event_id": f"Ev{number}",
                                     "event": {"type": "app_home_opened", "user": "U0000PAT"}}}
                conn.sendall(_frame(0x1, json.dumps(event).encode()))
        except OSError:
            return

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(1024)
            key = next(line.split(":", 1)[1].strip()
                       for line in request.decode().split("\r\n")
                       if line.lower().startswith("sec-websocket-key:"))
            accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()  # RFC 6455 asks for SHA-1
            conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\n"
                          f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
            self.connections += 1
            hello = {"type": "hello", "num_connections": 1,
                     "connection_info": {"app_id": "A0001"}, "debug_info": {"host": "fake"}}
            conn.sendall(_frame(0x1, json.dumps(hello).encode()))
            if self.chatty_every is not None:
                threading.Thread(target=self._chat, args=(conn,), daemon=True).start()
            while True:
                first, second = _read_exactly(conn, 2)
                length = second & 0x7F
                if length == 126:
                    length = struct.unpack("!H", _read_exactly(conn, 2))[0]
                elif length == 127:
                    length = struct.unpack("!Q", _read_exactly(conn, 8))[0]
                mask = _read_exactly(conn, 4) if second & 0x80 else b"\0\0\0\0"
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(_read_exactly(conn, length)))
                opcode = first & 0x0F
                if opcode == 0x9:  # ping: pong, so the client's own stale check stays content
                    conn.sendall(_frame(0xA, data))
                elif opcode == 0x8:
                    return
        except (OSError, ConnectionError, StopIteration):
            return
        finally:
            conn.close()
