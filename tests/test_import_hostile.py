"""Files that are Amazon's in odd clothes, and files made to hurt: UTF-16, every line ending,
NUL bytes, huge lines and titles, JSON nested without end. Each is read right or refused with
its reason, in bounded memory, and nothing is half-imported."""

import os
import subprocess
import sys

import pytest

from bot.errors import ImportRejected
from bot.sources.values import MAX_TEXT_CHARS
from bot.usecases.imports import import_file
from tests.conftest import ROOT, SAMPLES, stored
from tests.test_import import NOW, order

ALL_ORDERS = (SAMPLES / "all-orders.txt").read_text()
ROWS = 40  # data rows of the sample
# Order #07 of tests/fixtures/seller/README.md: its lines by SKU are the mug, then this book.
BREAD = "207-2629061-9259649"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("given", ["utf-8-sig", "utf-16"])
def test_utf16_reports_import_with_or_without_the_encoding_option(db, seller, tmp_path, codec,
                                                                   given):
    # "utf-16" writes a byte-order mark; the -le and -be codecs do not (Excel's "Unicode Text"
    # does, other tools may not).
    path = tmp_path / "utf16.txt"
    path.write_bytes(ALL_ORDERS.encode(codec))
    result = import_file(db, path, seller, now=NOW, encoding=given)
    assert (result.rows, result.orders, result.items, result.skipped) == (ROWS, 34, 40, [])
    as_utf16 = stored(db)
    plain = tmp_path / "utf8.txt"
    plain.write_text(ALL_ORDERS)
    import_file(db, plain, seller, now=NOW)  # the same data: nothing changes
    assert stored(db) == as_utf16


@pytest.mark.parametrize("ending", ["\r\n", "\r"], ids=["CRLF", "CR"])
def test_every_line_ending_reads_every_row(db, seller, tmp_path, ending):
    path = tmp_path / "endings.txt"
    path.write_bytes(ALL_ORDERS.replace("\n", ending).encode())
    result = import_file(db, path, seller, now=NOW)
    assert (result.rows, result.orders, result.items, result.skipped) == (ROWS, 34, 40, [])


def test_rows_run_together_are_refused_not_read_as_zero_rows(db, seller, tmp_path):
    path = tmp_path / "joined.txt"
    path.write_bytes(ALL_ORDERS.replace("\n", "\x1e").encode())  # a separator nobody splits on
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, path, seller, now=NOW)
    assert rejected.value.params["why"] == "header_not_a_header"
    assert stored(db)["orders"] == []


def test_a_nul_in_a_title_is_dropped_on_every_database(db, seller, tmp_path):
    path = tmp_path / "nul.txt"
    path.write_text(ALL_ORDERS.replace("Sourdough at Altitude", "Sourdough at\x00 Altitude"))
    import_file(db, path, seller, now=NOW)
    titles = [item.title for item in order(db, BREAD).items]
    assert titles[1] == "Sourdough at Altitude: Baking Bread in the Mountains"


def test_long_text_is_stored_cut_short_and_a_huge_line_is_a_bad_row(db, seller, tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(ALL_ORDERS.replace("Sourdough at Altitude: Baking Bread in the Mountains",
                                       "G" * 100_000))
    import_file(db, path, seller, now=NOW)
    title = order(db, BREAD).items[1].title
    assert len(title) == MAX_TEXT_CHARS and title.endswith("\u2026")

    huge = tmp_path / "huge.txt"
    huge.write_text(ALL_ORDERS.replace("Stoneware Coffee Mug", "P" * 10_000_000, 1))
    before = stored(db)
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, huge, seller, now=NOW)
    assert {p.code for p in rejected.value.params["problems"]} == {"line_too_long"}
    assert stored(db) == before  # nothing half-imported


# Started by a small process of its own: a child forked straight from the test run would
# count the test run's own memory (loaded rules, the model, scikit-learn) in its peak.
_MEASURED = """
import os, resource, subprocess, sys
def limit():
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         preexec_fn=limit)
said = child.stderr.read()
_, status, usage = os.wait4(child.pid, 0)
sys.stderr.buffer.write(said)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss // 1024)
"""


def import_in_a_child(tmp_path, path) -> tuple[int, str, int]:
    """`sellerbot import path` in its own process, with at most 2 GB of address space (so a
    regression fails the test instead of the machine): exit status, stderr, peak RSS in MB."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'child.db'}"}
    done = subprocess.run([sys.executable, "-c", _MEASURED, sys.executable, "-m", "bot",
                           "import", str(path)], cwd=ROOT, env=env, capture_output=True,
                          check=True)
    status, peak = map(int, done.stdout.split())
    return status, done.stderr.decode(), peak


def test_a_utf16_line_too_long_that_breaks_off_in_its_rest_is_a_bad_row_not_a_crash(
        db, seller, tmp_path):
    # The broken character lies well beyond the first megabyte of the line, where reading
    # skips the rest of it (past the text already decoded by the first read).
    lines = ALL_ORDERS.splitlines(keepends=True)
    broken = lines[3].replace("\t", "\t" + "P" * (1024 * 1024 + 50_000), 1).encode("utf-16-le")
    path = tmp_path / "broken.txt"
    path.write_bytes(b"\xff\xfe" + "".join(lines[:3]).encode("utf-16-le")
                     + broken[:-10] + b"\x00\xd8" + "".join(lines[4:]).encode("utf-16-le"))
    with pytest.raises(ImportRejected) as rejected:
        import_file(db, path, seller, now=NOW)
    assert [(p.where, p.code) for p in rejected.value.params["problems"]] == [
        (4, "not_text_from_here")]
    assert stored(db)["orders"] == []


def test_json_nested_without_end_is_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(b"[" * 400_000 + b"]" * 400_000)
    status, said, peak = import_in_a_child(tmp_path, path)
    assert status == 1 and "nested far deeper than any response of Amazon's" in said, said
    assert peak < 250, peak


def test_a_file_of_one_huge_line_is_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "one-line.txt"
    with path.open("wb") as out:
        out.write(b"amazon-order-id\torder-status\t")
        for _ in range(200):
            out.write(b"x" * (1 << 20))
    status, said, peak = import_in_a_child(tmp_path, path)
    assert status == 1 and "its first line is over 64 KB" in said, said
    assert peak < 250, peak


def test_a_stray_cr_inside_a_field_stays_in_its_row(db, seller, tmp_path):
    # Lines end as the first one does: in an LF (or CRLF) file a lone CR is part of a value.
    for ending in ("\n", "\r\n"):
        path = tmp_path / "stray.txt"
        path.write_bytes(ALL_ORDERS.replace("Sourdough at Altitude", "Sourdough at\rAltitude")
                         .replace("\n", ending).encode())
        result = import_file(db, path, seller, now=NOW)
        assert (result.rows, result.skipped) == (ROWS, [])


def test_a_file_that_is_not_a_report_is_left_open_for_its_owner(tmp_path):
    import io

    from bot.sources.flatfile import BadHeader, FlatFile

    binary = io.BufferedReader(io.BytesIO(b"x\t" * 1000 + b"\n"))
    with pytest.raises(BadHeader):
        FlatFile(binary)
    import gc

    gc.collect()  # a wrapper left behind would close the file when collected
    assert not binary.closed


def test_a_byte_not_in_the_encoding_is_found_however_far_in_and_in_every_file():
    # flatfile.py looks at lines only once the decoder has met such a byte: it must still find
    # one far past the first lines (decoded chunks later), and in a file read after others.
    import io

    from bot.sources.flatfile import BadRow, FlatFile

    def rows(data: bytes) -> list:
        flat = FlatFile(io.BufferedReader(io.BytesIO(data)))
        return [row if type(row) is BadRow else row[0] for row in flat.rows()]

    header = b"title\tsku\n"
    clean = [f"Cr\u00e8me br\u00fbl\u00e9e {n}\tSKU-{n}\n".encode() for n in range(30_000)]
    assert rows(header + b"".join(clean)) == list(range(2, 30_002))
    for at in (0, 7, 29_999):
        lines = clean.copy()
        lines[at] = lines[at].replace(b"Cr\xc3\xa8me", b"Cr\xe8me")  # Latin-1, not UTF-8
        found = rows(header + b"".join(lines))
        assert [r for r in found if type(r) is BadRow] == [
            BadRow(at + 2, "not_text", {"encoding": "utf-8"})]
        assert len(found) == 30_000
    assert rows(header + b"".join(clean)) == list(range(2, 30_002))  # and clean after them


def test_ctrl_c_while_a_part_counts_its_lines_is_not_masked_by_closing_the_file():
    # A part of a large report counts the lines before it with its text reader detached; a
    # Ctrl-C there reached `finally: flat.close()`, which raised ValueError ("underlying
    # buffer has been detached"): 'something went wrong' and exit 1, not 'import stopped'.
    import io

    from bot.sources.flatfile import FlatFile, Place

    class Interrupted(io.BufferedReader):
        armed = False

        def peek(self, size: int = 0) -> bytes:
            if self.armed:
                raise KeyboardInterrupt
            return super().peek(size)

    binary = Interrupted(io.FileIO(SAMPLES / "all-orders.txt", "rb"))
    flat = FlatFile(binary, "utf-8-sig")
    binary.armed = True
    with pytest.raises(KeyboardInterrupt):
        next(flat.rows(from_line=20, known=Place(1, 0)))
    flat.close()
    flat.close()  # and again: nothing more
    binary.close()
