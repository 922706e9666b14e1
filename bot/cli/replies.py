"""Replies to buyers: `check-reply`, `rules test` and `audit`."""

import io
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import Json, app, database, echo, print_json, settings, since
from bot.errors import BadInput

if TYPE_CHECKING:
    from bot.config import Settings

rules_app = typer.Typer(help="The compliance rules behind check-reply.", no_args_is_help=True,
                        rich_markup_mode=None)
app.add_typer(rules_app, name="rules")


def _read_text(source: str) -> str:
    """The text of FILE, or of standard input for "-", without the line end a text file (or
    `echo`) ends with: it is no character of the reply, and would count to the 2,000."""
    text = _read(source)
    return text[:-2] if text.endswith("\r\n") else text.removesuffix("\n")


def _read(source: str) -> str:
    from bot.paths import file_problem

    if source == "-":
        # Bytes, decoded here: the text layer may let invalid UTF-8 through as surrogates
        # (in a C locale), which fail later, far from the cause.
        try:
            # A byte-order mark is no character of the reply: positions count from after it.
            return sys.stdin.buffer.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadInput("file_unreadable", path="standard input",
                           reason="not UTF-8 text") from None
    path = Path(source)
    problem = file_problem(path)
    if problem is not None:
        raise BadInput(problem, path=source)
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput("file_unreadable", path=source, reason="not UTF-8 text") from None
    except OSError as exc:
        raise BadInput("file_unreadable", path=source, reason=exc.strerror) from None


@app.command("check-reply")
def check_reply(
    source: Annotated[str, typer.Argument(metavar="[FILE|-]", hidden=True)] = "-",
    in_reply_to: Annotated[str | None, typer.Option(
        "--in-reply-to", metavar="TEXT",
        help="The buyer's message it answers: an answer may say more than an unsolicited message.")
    ] = None,
    jsonl: Annotated[str | None, typer.Option(
        "--jsonl", metavar="FILE|-",
        help='Check many: lines of {"text": ..., "in_reply_to": ... or null}; a JSON result each.')
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Check a draft buyer reply against Amazon's messaging rules (exit 0 ok, 1 warn or block).

    The draft is a text file, or standard input (- or nothing).
    """
    from bot import render
    from bot.compliance.loading import checker
    from bot.render import data as render_data
    from bot.usecases import reply_checks

    current = settings()
    rules = checker(current.extra_rules)
    region = current.market.country
    if jsonl is not None:
        if source != "-":
            raise BadInput("jsonl_and_file")
        _check_jsonl(jsonl, current, rules, region)
        return
    text = _read_text(source)
    result = reply_checks.check(rules, text, in_reply_to=in_reply_to, region=region)
    reply_checks.record(database(current), [reply_checks.audit_record(
        text, result, reply_checks.Asker("cli"), datetime.now(UTC))])
    if as_json:
        print_json(render_data.check_result(result))
    else:
        echo(render.text("check_reply", result=result))
    if result.verdict != "ok":
        raise typer.Exit(1)


def _check_jsonl(source: str, current: "Settings", rules: object, region: str) -> None:
    """--jsonl: one result per input line, in order; a bad line gets an error object instead."""
    import json

    from bot import render
    from bot.render import data as render_data
    from bot.usecases import reply_checks

    if source == "-":
        # Decoded here, without a byte-order mark, as a file is (ours to detach, not close).
        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig")
    else:
        _read_text(source)  # the same friendly errors as a single file
        stream = Path(source).open(encoding="utf-8-sig")  # noqa: SIM115 - closed below
    records, worst = [], 0
    now = datetime.now(UTC)
    try:
        # One result per input line, each naming its line, so results match their inputs.
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                echo(render_data.dumps({"line": number, "error": render.message(
                    "errors", "jsonl_blank")}))
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not (
                        item.get("in_reply_to") is None or isinstance(item["in_reply_to"], str)):
                    raise ValueError
            except ValueError:
                worst = 2
                echo(render_data.dumps({"line": number, "error": render.message(
                    "errors", "jsonl_not_object")}))
                continue
            try:
                result = reply_checks.check(rules, item["text"],  # type: ignore[arg-type]
                                            in_reply_to=item.get("in_reply_to"), region=region)
            except BadInput as exc:
                worst = 2
                echo(render_data.dumps({"line": number, "error": render.message(
                    "errors", exc.code, **exc.params)}))
                continue
            records.append(reply_checks.audit_record(item["text"], result,
                                                     reply_checks.Asker("batch"), now))
            worst = max(worst, 0 if result.verdict == "ok" else 1)
            echo(render_data.dumps({"line": number, **render_data.check_result(result)}))
    finally:
        if source == "-":
            stream.detach()
        else:
            stream.close()
    reply_checks.record(database(current), records)
    if worst:
        raise typer.Exit(worst)


@rules_app.command("test")
def rules_test() -> None:
    """Run every rule's must-flag and must-pass examples and print a table (exit 1 on a failure)."""
    from bot import render
    from bot.compliance.loading import checker, run_examples

    current = settings()
    # As check-reply reads them: phone numbers as in the marketplace's country.
    runs = run_examples(checker(current.extra_rules), region=current.market.country)
    echo(render.text("rules_test", rows=runs))
    if not all(run.ok for run in runs):
        raise typer.Exit(1)


@rules_app.command("train")
def rules_train(
    out: Annotated[Path | None, typer.Option(
        "--out", metavar="FILE", help="Where to write the model (default: EXTRA_RULES/"
        "model.json.gz when EXTRA_RULES is set, else the model sellerbot ships).")] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Write nothing; exit 1 if the model file differs from what the "
        "labelled replies train.")] = False,
) -> None:
    """Train the learned second opinion from rules/labelled/*.jsonl and EXTRA_RULES/*.jsonl
    (needs scikit-learn: pip install 'sellerbot[train]')."""
    from bot import render
    from bot.compliance import model, training

    extra = settings().extra_rules
    target = out or (extra / model.SHIPPED.name if extra is not None else model.SHIPPED)
    files = training.labelled_files(extra)
    data = training.train(files)
    same = target.is_file() and model.read(target) == data
    if not check:
        target.parent.mkdir(parents=True, exist_ok=True)
        model.write(data, target)
    echo(render.text("rules_train", data=data, files=files, target=target, check=check,
                     same=same))
    if check and not same:
        raise typer.Exit(1)


@app.command()
def audit(
    since_day: Annotated[str | None, typer.Option(
        "--since", metavar="YYYY-MM-DD", help="Only checks from this day on (SELLER_TIMEZONE).")
    ] = None,
    as_json: Json = False,
) -> None:
    """List the audited reply checks: verdict, categories, who, where, when, SHA-256 of the text."""
    from bot import render
    from bot.render import data as render_data
    from bot.usecases import reply_checks

    current = settings()
    start = since(since_day, current)
    records = reply_checks.audit_log(database(current), start)
    if as_json:
        print_json(render_data.audit(records))
    else:
        echo(render.text("audit", records=records, since=start.date() if start else None,
                         limit=reply_checks.AUDIT_LIMIT, tz=current.timezone))
