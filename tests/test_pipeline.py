"""The parser process gives exactly what in-process parsing gives, and its failures surface."""

import errno
import hashlib
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
from datetime import UTC, datetime

import pytest

from bot.domain.records import Order, OrderItem
from bot.errors import ImportRejected, StoreError
from bot.sources import all_orders
from bot.sources.files import open_source
from bot.sources.flatfile import BadRow, Note, Part
from bot.store import Database
from bot.store.writer import Writer, row_makers
from bot.usecases import import_parts, import_pipeline
from bot.usecases.import_batches import batches
from bot.usecases.import_files import parsing_ahead
from bot.usecases.imports import hand_over, import_file
from bot.usecases.stamps import stamped
from tests.conftest import SAMPLES, stored

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", ["all-orders.txt", "unshipped-orders.txt", "returns.txt"])
def test_parser_process_matches_in_process(db, seller, tmp_path, monkeypatch, name):
    reference = Database.open(f"sqlite:///{tmp_path / 'in-process.db'}")
    import_file(reference, SAMPLES / name, seller, now=NOW)
    monkeypatch.setattr(import_pipeline, "MIN_BYTES", 0)
    assert import_pipeline.worthwhile(1) or pytest.skip("one CPU: the parser process is never used")
    result = import_file(db, SAMPLES / name, seller, now=NOW)
    assert result.rows > 0
    assert stored(db) == stored(reference)


@pytest.mark.parametrize("here", ["no part", "parts as they come"])
def test_a_report_read_in_parts_by_two_processes_gives_what_in_process_parsing_gives(
        db, seller, tmp_path, monkeypatch, here):
    path, _ = _tricky_report(tmp_path)
    reference = Database.open(f"sqlite:///{tmp_path / 'in-process.db'}")
    whole = import_file(reference, path, seller, now=NOW, skip_bad_rows=True)
    monkeypatch.setattr(import_pipeline, "MIN_BYTES", 0)
    monkeypatch.setattr(import_pipeline, "PART_ROWS", 3)  # parts of 3 rows, 9 in all
    assert import_pipeline.worthwhile(1) or pytest.skip("one CPU: the parser process is never used")
    taken = []
    take = import_parts.Claims.take

    def taking(self):
        part = None if here == "no part" else take(self)
        taken.append(part)
        return part

    monkeypatch.setattr(import_parts.Claims, "take", taking)
    result = import_file(db, path, seller, now=NOW, skip_bad_rows=True)
    assert stored(db) == stored(reference)
    assert (result.rows, result.skipped, result.notes, result.checksum) == (
        whole.rows, whole.skipped, whole.notes, whole.checksum)
    assert result.checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    if here == "no part":
        assert taken and set(taken) == {None}  # asked, and the parser process parsed them all
    else:
        # The first part at least is parsed here: the parser process has only just started.
        assert taken[0] == 0


def test_no_part_is_taken_twice_by_two_processes_taking_them_at_once():
    claims = import_parts.Claims.new(5000)
    taker = ("import json, sys; from bot.usecases.import_parts import Claims; "
             "claims = Claims(int(sys.argv[1]), 5000); "
             "print(claims.take(), flush=True); print(json.dumps(list(iter(claims.take, None))))")
    other = subprocess.Popen([sys.executable, "-c", taker, str(claims.fd)],
                             pass_fds=(claims.fd,), stdout=subprocess.PIPE, text=True)
    assert other.stdout is not None
    first = int(other.stdout.readline())  # it is taking: take at the same time
    mine = list(iter(claims.take, None))
    theirs = [first, *json.loads(other.stdout.read())]
    other.wait(timeout=60)
    claims.close()
    assert sorted(mine + theirs) == list(range(5000))


def test_parser_process_reports_bad_rows(db, seller, monkeypatch):
    monkeypatch.setattr(import_pipeline, "MIN_BYTES", 0)
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, SAMPLES / "broken-orders.txt", seller, now=NOW)
    assert [p.where for p in rejected.value.params["problems"]] == [4, 7, 10]
    assert stored(db)["orders"] == []


def test_a_failing_parser_process_is_an_error(seller, tmp_path):
    parser = import_pipeline.ParserProcess(tmp_path / "gone.txt", "utf-8")
    parser.hand(seller, row_makers("sqlite"))
    with pytest.raises(import_pipeline.ParserFailed, match="FileNotFoundError"):
        next(parser.batches())


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_parser_process_starts_without_sqlalchemy(seller, dialect):
    # Its first batch is ready sooner, and it holds less memory (bot/store/driver_rows.py).
    task = (pickle.dumps((SAMPLES / "all-orders.txt", "utf-8", None, 99, None))
            + pickle.dumps((seller, row_makers(dialect))))
    check = ("import pickle, sys; import bot.usecases.import_pipeline; "
             "pickle.load(sys.stdin.buffer); pickle.load(sys.stdin.buffer); "
             "print(sorted(m for m in sys.modules "
             "if m.split('.')[0] in ('sqlalchemy', 'psycopg', 'alembic')))")
    loaded = subprocess.run([sys.executable, "-c", check], input=task, capture_output=True,
                            check=True)
    assert loaded.stdout.decode().strip() == "[]"


def test_a_parser_started_ahead_is_the_one_its_file_is_imported_with(db, seller, tmp_path,
                                                                      monkeypatch):
    reference = Database.open(f"sqlite:///{tmp_path / 'in-process.db'}")
    import_file(reference, SAMPLES / "all-orders.txt", seller, now=NOW)
    monkeypatch.setattr(import_pipeline, "MIN_BYTES", 0)
    assert import_pipeline.worthwhile(1) or pytest.skip("one CPU: the parser process is never used")
    started = []
    original = import_pipeline.ParserProcess.__init__

    def counted(self, *args):
        started.append(args[0].name)
        original(self, *args)

    monkeypatch.setattr(import_pipeline.ParserProcess, "__init__", counted)
    with parsing_ahead(SAMPLES / "all-orders.txt", "utf-8-sig") as ahead:
        assert ahead is not None
        result = import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW, ahead=ahead)
    assert started == ["all-orders.txt"]  # no second parser process for the file
    assert result.rows == 40
    assert stored(db) == stored(reference)


@pytest.mark.parametrize(("other", "url"), [
    ("unshipped-orders.txt", None),  # another file
    # handed the row makers of another database
    ("all-orders.txt", "postgresql+psycopg://nobody@127.0.0.1/elsewhere"),
])
def test_a_parser_started_ahead_for_something_else_is_not_used(db, seller, tmp_path, monkeypatch,
                                                               other, url):
    reference = Database.open(f"sqlite:///{tmp_path / 'in-process.db'}")
    import_file(reference, SAMPLES / "all-orders.txt", seller, now=NOW)
    monkeypatch.setattr(import_pipeline, "MIN_BYTES", 0)
    assert import_pipeline.worthwhile(1) or pytest.skip("one CPU: the parser process is never used")
    with parsing_ahead(SAMPLES / other, "utf-8-sig") as ahead:
        assert ahead is not None
        if url is not None:
            hand_over(ahead, seller, url)
        import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW, ahead=ahead)
        if url is not None:
            assert not ahead.running  # stopped, its rows of no use
    assert stored(db) == stored(reference)


def test_a_parser_started_ahead_and_never_read_is_stopped_and_leaves_no_file(
        db, seller, tmp_path, monkeypatch):
    spills = tmp_path / "spills"
    spills.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spills))
    monkeypatch.setattr(import_pipeline, "MIN_BYTES", 0)
    assert import_pipeline.worthwhile(1) or pytest.skip("one CPU: the parser process is never used")
    with parsing_ahead(SAMPLES / "all-orders.txt", "utf-8-sig") as ahead:
        assert ahead is not None
        # Its spill file has no name from the start: an import killed outright leaves nothing.
        assert list(spills.iterdir()) == []
    assert not ahead.running


def test_no_parser_is_started_ahead_for_a_small_file_or_one_that_is_not_there(seller, tmp_path,
                                                                               db):
    with parsing_ahead(SAMPLES / "all-orders.txt", "utf-8-sig") as ahead:
        assert ahead is None  # a small file parses in-process
    with parsing_ahead(tmp_path / "gone.txt", "utf-8-sig") as ahead:
        assert ahead is None  # import_file says what is wrong with it
    with parsing_ahead(None, "utf-8-sig") as ahead:
        assert ahead is None


def test_the_command_line_import_reads_its_first_file_with_a_parser_started_ahead(cli, db,
                                                                                   monkeypatch):
    monkeypatch.setattr(import_pipeline, "MIN_BYTES", 0)
    assert import_pipeline.worthwhile(1) or pytest.skip("one CPU: the parser process is never used")
    started = []
    original = import_pipeline.ParserProcess.__init__

    def counted(self, path, *args):
        started.append(path.name)
        original(self, path, *args)

    monkeypatch.setattr(import_pipeline.ParserProcess, "__init__", counted)
    ran = cli("import", str(SAMPLES / "returns.txt"), str(SAMPLES / "all-orders.txt"))
    assert ran.returncode == 0, ran.stderr
    assert "40 rows: 34 orders (34 new), 40 order lines" in ran.stdout
    # The orders file goes first (import_order), its parser before the database is open; the
    # returns file gets its own when its turn comes.
    assert started == ["all-orders.txt", "returns.txt"]


def test_the_command_line_starts_its_parser_first_and_hands_it_the_seller_before_the_db_opens(
        tmp_path):
    # bot/usecases/import_files.py: the parser process loads while the importer does.
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bot.cli import main\n"
        "from bot.usecases import import_pipeline\n"
        "import_pipeline.MIN_BYTES = 0\n"
        "Parser = import_pipeline.ParserProcess\n"
        "started, handed = Parser.__init__, Parser.hand\n"
        "def start(self, *args):\n"
        "    print('started, sqlalchemy loaded:', 'sqlalchemy' in sys.modules)\n"
        "    started(self, *args)\n"
        "def hand(self, *args):\n"
        "    print('handed, database there:', Path('cli.db').exists())\n"
        "    handed(self, *args)\n"
        "Parser.__init__, Parser.hand = start, hand\n"
        f"sys.argv = ['sellerbot', 'import', {str(SAMPLES / 'all-orders.txt')!r}]\n"
        "main()\n"
    )
    if not import_pipeline.worthwhile(1 << 30):
        pytest.skip("one CPU: the parser process is never used")
    ran = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, check=True,
                         env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"})
    assert ran.stdout.splitlines()[:2] == ["started, sqlalchemy loaded: False",
                                           "handed, database there: False"], ran.stdout
    assert "40 rows: 34 orders (34 new), 40 order lines" in ran.stdout


def test_a_parser_process_gone_before_it_is_handed_its_seller_is_an_error_when_read(seller):
    parser = import_pipeline.ParserProcess(SAMPLES / "all-orders.txt", "utf-8")
    os.kill(parser._process.pid, signal.SIGKILL)  # as the kernel's out-of-memory killer would
    parser._process.wait()
    parser.hand(seller, row_makers("sqlite"))  # says nothing yet
    with pytest.raises(import_pipeline.ParserFailed, match="ended without a word"):
        next(parser.batches())
    parser.stop()


def test_a_parser_process_whose_importer_goes_before_handing_it_the_seller_ends_quietly():
    task = pickle.dumps((SAMPLES / "all-orders.txt", "utf-8", None, 99, None))  # and no more
    ran = subprocess.run([sys.executable, "-m", "bot.usecases.import_pipeline"], input=task,
                         capture_output=True, check=False, timeout=60)
    assert (ran.returncode, ran.stdout, ran.stderr) == (1, b"", b"")


def test_a_file_listed_twice_is_parsed_twice(cli, db, monkeypatch):
    # The parser started ahead is read by the first import of it; the second starts its own.
    monkeypatch.setattr(import_pipeline, "MIN_BYTES", 0)
    assert import_pipeline.worthwhile(1) or pytest.skip("one CPU: the parser process is never used")
    ran = cli("import", str(SAMPLES / "all-orders.txt"), str(SAMPLES / "all-orders.txt"))
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.count("40 rows: 34 orders (34 new), 40 order lines") == 1
    assert ran.stdout.count("40 rows: 34 orders (0 new), 40 order lines") == 1


def _tricky_report(tmp_path):
    """All Orders lines around which a split could go wrong: a bad row inside an order's run,
    blank lines, a line too long to read, an unknown status (a note), a shifted row, a bad
    value where an order starts, and an order whose lines come in two runs."""
    lines = (SAMPLES / "all-orders.txt").read_text().splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    inside = rows[7].replace("207-2629061-9259649", "not-an-order-id", 1)
    unknown = rows[14].replace("\tShipped\t", "\tOn Its Way\t", 1)
    assert unknown != rows[14]
    shifted = rows[15].replace("\t", "", 1)
    bad_price = rows[16].split("\t")
    bad_price[15] = "twelve"
    body = [*rows[:7], inside, rows[7], rows[8], "\n", rows[9], "\n", "\n", rows[11], rows[12],
            "x" * (1024 * 1024 + 10) + "\n", rows[13], unknown, shifted, "\t".join(bad_price),
            rows[6], rows[7], *rows[17:]]
    path = tmp_path / "all-orders.txt"
    path.write_text(header + "".join(body))
    return path, len(body) + 1


def _read(path, seller, part=None):
    with open_source(path) as source:
        return list(source.records(seller.context, part))


def _stored(records, seller):
    """The orders and lines as stamped for the store, and the bad rows and notes, in order."""
    records = list(stamped(records, seller))
    return ([r for r in records if type(r) in (Order, OrderItem)],
            [r for r in records if type(r) in (BadRow, Note)])


@pytest.mark.parametrize("window", [all_orders.SPLIT_WINDOW, 3, 1])  # lines read before the split
@pytest.mark.parametrize("saved", ["utf-8", "utf-16", "mac", "broken utf-16"])
def test_a_report_read_in_two_parts_gives_what_it_gives_read_whole(seller, tmp_path, saved,
                                                                   window):
    path, last = _tricky_report(tmp_path)
    text = path.read_text()
    if saved == "utf-16":
        path.write_bytes(text.encode("utf-16"))
    elif saved == "mac":  # lines end in a lone CR
        path.write_bytes(text.replace("\n", "\r").encode())
    elif saved == "broken utf-16":  # nothing after the broken character can be read
        half = text.rfind("\n", 0, len(text) - 2000)
        path.write_bytes(text[:half].encode("utf-16") + b"\x00\xd8"
                         + text[half:].encode("utf-16-le"))
    whole = _read(path, seller)
    assert {"Order", "OrderItem", "BadRow", "Note"} == {type(r).__name__ for r in whole}
    ids = [r.order_id for r in whole if type(r) is Order]
    twice = {order_id for order_id in ids if ids.count(order_id) > 1}
    assert twice == {"207-2629061-9259649"}
    if saved == "broken utf-16":
        assert whole[-1].code == "not_text_from_here" and whole[-1].where > 25
    for near in range(2, last + 3):
        head = _read(path, seller, Part(None, near, window))
        tail = _read(path, seller, Part(near, None, window))
        assert head + tail == whole, f"split near line {near}"
        # A run of an order's lines is never split, so each order's deadline is stamped from
        # all of its lines: only the order whose lines come in two runs can be in both parts.
        orders = [{r.order_id for r in part if type(r) is Order} for part in (head, tail)]
        assert orders[0] & orders[1] <= twice, f"split near line {near}"
        stored = [_stored(part, seller) for part in (head, tail)]
        assert (stored[0][0] + stored[1][0], stored[0][1] + stored[1][1]) == _stored(whole,
                                                                                      seller)


@pytest.mark.parametrize("saved", ["utf-8", "mac", "cp932"])
def test_a_report_read_in_parts_one_after_another_gives_what_it_gives_read_whole(
        seller, tmp_path, saved):
    # A process reads the parts it takes in order, counting the lines before each from where
    # it counted to for the last (files.py): any parts, each read whole, give the file.
    path, last = _tricky_report(tmp_path)
    text = path.read_text().replace("\u00e9", "e")  # cp932 has no é
    path.write_bytes((text.replace("\n", "\r") if saved == "mac" else text).encode(
        "cp932" if saved == "cp932" else "utf-8"))
    encoding = "cp932" if saved == "cp932" else "utf-8"
    with open_source(path, encoding) as source:
        whole = list(source.records(seller.context))
    for first in range(2, last + 2, 3):
        for second in range(first + 1, last + 3, 4):
            parts = [Part(None, first, 3), Part(first, second, 3), Part(second, None, 3)]
            with open_source(path, encoding) as source:
                checksum = source.hashed()
                read = [list(source.records(seller.context, part)) for part in parts]
            assert read[0] + read[1] + read[2] == whole, f"split near lines {first}, {second}"
            assert checksum == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("saved", ["utf-8", "mac", "utf-16", "cp932"])
def test_a_tail_read_past_its_head_still_has_the_files_lines_and_checksum(seller, tmp_path,
                                                                         saved):
    # flatfile.py counts the line ends before a tail in the bytes where the encoding allows.
    path, _ = _tricky_report(tmp_path)
    text = path.read_text().replace("Sourdough", "\u30d1\u30f3")  # a Japanese word
    encoding = {"utf-8": "utf-8", "mac": "utf-8", "utf-16": "utf-16", "cp932": "cp932"}[saved]
    text = text.replace("\n", "\r") if saved == "mac" else text
    path.write_bytes(text.encode(encoding, errors="replace"))  # cp932 has no é
    with open_source(path, encoding) as source:
        whole = list(source.records(seller.context))
        checksum = source.hashed()
        head = list(source.records(seller.context, Part(None, 20, 3)))
        tail = list(source.records(seller.context, Part(20, None, 3)))
    assert head and tail and head + tail == whole
    assert any("\u30d1\u30f3" in (r.title or "") for r in whole if type(r) is OrderItem)
    assert checksum == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_parser_process_says_what_stopped_it_when_it_cannot_keep_its_work(seller):
    # A spill descriptor it was never handed: it cannot write a batch anywhere.
    task = (pickle.dumps((SAMPLES / "all-orders.txt", "utf-8", None, 99, None))
            + pickle.dumps((seller, row_makers("sqlite"))))
    ran = subprocess.run([sys.executable, "-m", "bot.usecases.import_pipeline"], input=task,
                         capture_output=True, check=False)
    assert ran.stdout == b"OSError: [Errno 9] Bad file descriptor\n"
    assert ran.stderr == b""  # no traceback in the user's terminal


def test_an_import_whose_second_reader_cannot_keep_its_work_says_so_and_keeps_nothing(
        cli, db, monkeypatch):
    monkeypatch.setattr(import_pipeline, "MIN_BYTES", 0)
    assert import_pipeline.worthwhile(1) or pytest.skip("one CPU: the parser process is never used")
    # This process takes no part: the parser process parses them all, and fails at its first.
    monkeypatch.setattr(import_parts.Claims, "take", lambda self: None)
    made = import_pipeline._spill_file

    def unwritable():
        # As on a full disk, the parser process's first write to its spill file fails.
        spill, handed = made()
        os.close(handed)
        return spill, os.open(os.devnull, os.O_RDONLY)

    monkeypatch.setattr(import_pipeline, "_spill_file", unwritable)
    ran = cli("import", str(SAMPLES / "all-orders.txt"))
    assert ran.returncode == 1
    assert ran.stderr.startswith(f"{SAMPLES / 'all-orders.txt'}: the second process reading "
                                 "it stopped (OSError: [Errno 9] Bad file descriptor); nothing "
                                 "from it was imported")
    assert f"It keeps its work in {tempfile.gettempdir()}: if that is full" in ran.stderr
    assert stored(db)["orders"] == []


def test_a_file_whose_first_import_fails_midway_is_parsed_again_when_listed_twice(
        db, seller, tmp_path, monkeypatch):
    reference = Database.open(f"sqlite:///{tmp_path / 'in-process.db'}")
    import_file(reference, SAMPLES / "all-orders.txt", seller, now=NOW)
    monkeypatch.setattr(import_pipeline, "MIN_BYTES", 0)
    assert import_pipeline.worthwhile(1) or pytest.skip("one CPU: the parser process is never used")
    failing = [StoreError("db_unreachable", url="x", reason="gone")]
    write = Writer.add_rows

    def fails_once(self, rows):
        if failing:
            raise failing.pop()
        write(self, rows)

    monkeypatch.setattr(Writer, "add_rows", fails_once)
    with parsing_ahead(SAMPLES / "all-orders.txt", "utf-8-sig") as ahead:
        assert ahead is not None and ahead.parts is not None  # read in parts
        with pytest.raises(ImportRejected):
            import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW, ahead=ahead)
        result = import_file(db, SAMPLES / "all-orders.txt", seller, now=NOW, ahead=ahead)
    assert result.rows == 40
    assert stored(db) == stored(reference)


def test_a_parser_started_ahead_on_a_file_saved_over_since_is_stopped_and_not_used(
        db, seller, tmp_path, monkeypatch):
    report = tmp_path / "all-orders.txt"
    shutil.copy(SAMPLES / "all-orders.txt", report)
    monkeypatch.setattr(import_pipeline, "MIN_BYTES", 0)
    assert import_pipeline.worthwhile(1) or pytest.skip("one CPU: the parser process is never used")
    with parsing_ahead(report, "utf-8-sig") as ahead:
        assert ahead is not None
        lines = report.read_text().splitlines(keepends=True)
        report.write_text("".join(lines[:11]))  # saved again, shorter, while the first waited
        result = import_file(db, report, seller, now=NOW, ahead=ahead)
        assert not ahead.running
    assert result.rows == 10


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_a_report_is_read_in_parts_of_about_the_rows_asked(tmp_path, ending):
    rows = (SAMPLES / "all-orders.txt").read_text().splitlines()
    path = tmp_path / "all-orders.txt"
    path.write_text(ending.join([rows[0], *rows[1:] * 25, ""]), newline="")
    with open_source(path) as source:
        parts = source.parts(300)
    assert parts is not None  # 1,000 rows of about the same length
    assert [part.begin for part in parts] == [None, 302, 602, 902]
    assert [part.end for part in parts] == [302, 602, 902, None]
    assert {part.window for part in parts} == {all_orders.SPLIT_WINDOW}


@pytest.mark.parametrize(("name", "encoding"), [("all-orders.txt", "utf-16"),
                                                ("unshipped-orders.txt", "utf-8")])
def test_a_file_whose_lines_cannot_be_counted_in_its_bytes_or_of_another_kind_is_read_whole(
        tmp_path, name, encoding):
    path = tmp_path / name
    path.write_bytes((SAMPLES / name).read_text().encode(encoding))
    with open_source(path) as source:
        assert source.parts(5) is None


def test_an_import_whose_parts_cannot_be_taken_says_so_and_keeps_nothing(cli, db, monkeypatch):
    # The counter of parts is locked in TMPDIR, which some network disks cannot do.
    monkeypatch.setattr(import_pipeline, "MIN_BYTES", 0)
    assert import_pipeline.worthwhile(1) or pytest.skip("one CPU: the parser process is never used")

    def unlockable(fd, operation, *args):
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(import_parts.fcntl, "lockf", unlockable)
    ran = cli("import", str(SAMPLES / "all-orders.txt"))
    assert ran.returncode == 1
    reason = f"OSError: [Errno {errno.ENOLCK}] {os.strerror(errno.ENOLCK)}"
    assert ran.stderr.startswith(f"{SAMPLES / 'all-orders.txt'}: the second process reading "
                                 f"it stopped ({reason})")
    assert stored(db)["orders"] == []


def test_a_product_that_recurs_in_a_report_is_handed_over_once_per_batch(seller, tmp_path):
    # A seller's best sellers fill half of a report: a batch pickled for the importing process
    # carries each of their titles, SKUs and ASINs once (bot/sources/values.py, text_cell).
    lines = (SAMPLES / "all-orders.txt").read_text().splitlines(keepends=True)
    header, row = lines[0], lines[1].split("\t")
    copies = []
    for n in range(3):  # three orders of the same product
        copy = list(row)
        copy[0] = f"111-000000{n}-0000000"
        copies.append("\t".join(copy))
    path = tmp_path / "all-orders.txt"
    path.write_text(header + "".join(copies))
    with open_source(path) as source:
        [batch] = batches(source, seller, row_makers("sqlite"))
    lines_made = batch.rows[OrderItem]
    for name in ("title", "sku", "asin"):
        column = lines_made.columns[lines_made.names.index(name)]
        assert len(column) == 3 and column[0] is column[1] is column[2], name
    title = lines_made.columns[lines_made.names.index("title")][0]
    assert pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL).count(title.encode()) == 1
