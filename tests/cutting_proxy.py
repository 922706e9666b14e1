"""A TCP proxy for the tests that passes a connection through to a server and, when told,
drops it once the server has sent a given number of bytes: a mail server that goes away in the
middle of an answer."""

import socket
import threading
from contextlib import suppress


class CuttingProxy:
    """Listens on 127.0.0.1:`port` and forwards to `target_port`; `cut_after` (bytes from the
    server, per connection) drops the connection there, None never."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.cut_after: int | None = None
        self.cuts = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            limit = self.cut_after
            threading.Thread(target=self._pipe, args=(client, server, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, limit), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, limit: int | None) -> None:
        passed = 0
        with suppress(OSError):  # either side gone: the pipe ends
            while data := source.recv(4096):
                if limit is not None and passed + len(data) > limit:
                    sink.sendall(data[: limit - passed])
                    self.cuts += 1
                    break
                sink.sendall(data)
                passed += len(data)
        for end in (source, sink):
            with suppress(OSError):  # the other side may have closed it already
                end.shutdown(socket.SHUT_RDWR)
            end.close()

    def close(self) -> None:
        """Stop listening."""
        self._listener.close()
