"""Every message code the code can raise has its words in templates/, and text output is inert."""

import re

import pytest

from bot.paths import templates_dir
from bot.render import message, text
from tests.conftest import ROOT

SOURCE = "\n".join(p.read_text() for p in (ROOT / "bot").rglob("*.py"))


def macros(group: str) -> set[str]:
    body = (templates_dir() / "text" / f"{group}.txt.j2").read_text()
    return set(re.findall(r"\{% macro (\w+)\(", body))


def test_every_error_code_has_a_message():
    raised = set(re.findall(r'(?:SellerbotError|ConfigError|StoreError|ImportRejected|NotFound|BadInput)\(\s*"(\w+)"', SOURCE))
    raised |= set(re.findall(r'^\s+code = "(\w+)"', SOURCE, flags=re.MULTILINE))
    raised -= {"error"}
    assert raised and raised <= macros("errors")


def test_every_problem_code_has_a_message():
    codes = set(re.findall(r'BadValue\("(\w+)"', SOURCE))
    codes |= set(re.findall(r'BadRow\([^,]+, "(\w+)"', SOURCE))
    codes |= set(re.findall(r'FieldError\([^,]+, "(\w+)"', SOURCE))
    assert codes and codes <= macros("problems")


@pytest.mark.parametrize("hostile", ["\x1b[2J\x1b[31mred", "bell\x07", "csi\x9b31m",
                                     "SKU-\u202egnp.exe", "\u2067isolated\u2069", "\u202aembed\u202c"])
def test_control_characters_print_as_text(hostile):
    said = message("errors", "order_id_malformed", text=hostile)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", said)


def test_import_summary_reads_well():
    from pathlib import Path

    from bot.usecases.imports import ImportResult
    result = ImportResult(path=Path("a.txt"), kind="returns", rows=1, new_orders=0, orders=0,
                          items=0, returns=1, checksum="")
    assert text("import", result=result) == "a.txt: MFN returns report, 1 row: 1 return request"
