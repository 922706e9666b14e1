"""A real IMAP server for the tests: a private Dovecot instance (Debian's dovecot-imapd) with
its own configuration, port and maildir under the test's temporary folder. Tests that need it
skip cleanly where Dovecot is not installed; `.ci/run` installs it."""

import imaplib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

USER, PASSWORD = "seller@example.test", "app-password"

_CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {base}
state_dir = {base}/state
instance_name = sellerbot-test-{port}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{mail}/%u
log_path = {base}/dovecot.log
first_valid_uid = 1
mail_uid = nobody
mail_gid = nogroup
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={mail}/%u
}}
"""


def available() -> bool:
    """Whether Dovecot is installed here."""
    return shutil.which("dovecot") is not None


class ImapServer:
    """A running Dovecot with one user; `append` puts a raw message in a folder."""

    def __init__(self) -> None:
        # A folder of its own, open to the `nobody` user Dovecot reads mail as (pytest's own
        # temporary folders are private to root).
        folder = self.folder = Path(tempfile.mkdtemp(prefix="sellerbot-imap-"))
        folder.chmod(0o755)
        base, mail = folder / "dovecot", folder / "maildirs"
        (base / "state").mkdir(parents=True)
        mail.mkdir()
        shutil.chown(mail, "nobody", "nogroup")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        (base / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        # Outside base_dir: Dovecot links base_dir/dovecot.conf to the file it was given.
        config = folder / "dovecot.conf"
        config.write_text(_CONFIG.format(base=base, mail=mail, port=self.port))
        self.log = base / "dovecot.log"
        self._process = subprocess.Popen(["dovecot", "-F", "-c", str(config)],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"dovecot did not start: {self.log.read_text() if self.log.exists() else ''}")

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver `raw` into `folder`, unread."""
        with imaplib.IMAP4("127.0.0.1", self.port, timeout=10) as client:
            client.login(USER, PASSWORD)
            if folder != "INBOX":
                client.create(folder)
            client.append(folder, None, None, raw)

    def flags(self, folder: str = "INBOX") -> list[bytes]:
        """Each message's flags, in order: the tests check that nothing was marked read."""
        with imaplib.IMAP4("127.0.0.1", self.port, timeout=10) as client:
            client.login(USER, PASSWORD)
            client.select(folder, readonly=True)
            _, found = client.fetch("1:*", "(FLAGS)")
        return [line for line in found if isinstance(line, bytes)]

    def stop(self) -> None:
        """Stop the server (its folder stays until `remove`)."""
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()

    def remove(self) -> None:
        """Stop the server and delete its folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
