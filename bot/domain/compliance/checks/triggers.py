"""Triggers: words a pattern cannot match without, so a check can skip text that has none.

Running every rule's expression over a 2,000-character reply costs milliseconds; looking for
a few plain substrings in it costs microseconds. A pattern's triggers are read from its parsed
form: literal runs it must contain, alternatives where it branches. When a pattern has no such
literal (it starts with a character class, say), it has no triggers and always runs.
"""

import _sre as _engine
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

import ahocorasick

try:  # the parser and compiler moved in Python 3.11; their structure did not
    from re import _compiler as _sre_compile
    from re import _parser as _sre
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_compile as _sre_compile  # type: ignore[no-redef]
    import sre_parse as _sre  # type: ignore[no-redef]

_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}
_ASSERT_NOT, _BRANCH, _IN, _LITERAL, _SUBPATTERN = (
    _sre.ASSERT_NOT, _sre.BRANCH, _sre.IN, _sre.LITERAL, _sre.SUBPATTERN)
# A character class this small is as good as its characters ("[$£€]").
_SMALL_CLASS = 4
# How many of a pattern's required sets must all be present before it runs: each one more
# cuts the clauses it scans, down to the few where the whole phrase could be.
_KEEP = 3
_USEFUL = 2
Triggers = tuple[frozenset[str], ...]

# Function words are in every reply: as triggers they let a pattern run everywhere.
_FUNCTION_WORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "for", "have", "he",
    "i", "if", "in", "is", "it", "me", "my", "no", "not", "of", "on", "or", "our", "she", "so",
    "that", "the", "they", "this", "to", "us", "was", "we", "will", "with", "you", "your"
))
# Words in nearly every customer-service reply: better than nothing, worse than the rest.
_FREQUENT = frozenset((
    "amazon", "back", "card", "day", "days", "deliver", "delivered", "delivery", "get", "item",
    "label", "new", "one", "order", "orders", "package", "parcel", "please", "refund",
    "refunds", "return", "returns", "send", "sent", "ship", "shipped", "shipping", "sorry",
    "thank", "thanks", "time", "today", "tomorrow", "week"
))
_FREQUENT_WEIGHT = 2

# What compiling a pattern works out, to be kept between processes: the regex engine's
# program (its code, final flags, groups and group names) and the pattern's triggers.
Program = tuple[list[int], int, int, dict[str, int], tuple[str | None, ...], Triggers]
# A program's key: the pattern, its flags, and whether it is a whole-word phrase.
ProgramKey = tuple[str, int, bool]


class Programs:
    """Compiled patterns by ProgramKey: those kept from an earlier process, and those this
    one used (bot/rule_cache.py reads and writes them)."""

    def __init__(self, kept: dict[ProgramKey, Program]) -> None:
        self.kept = kept
        self.used: dict[ProgramKey, Program] = {}
        self.compiled = 0  # how many were not kept and had to be compiled


_PROGRAMS: ContextVar[Programs | None] = ContextVar("programs", default=None)


@contextmanager
def keeping(programs: Programs) -> Iterator[Programs]:
    """Within the block, patterns compiled here are taken from and added to `programs`."""
    token = _PROGRAMS.set(programs)
    try:
        yield programs
    finally:
        _PROGRAMS.reset(token)


def compile_with_triggers(pattern: str, flags: int, *,
                          word_start: bool = False) -> tuple[re.Pattern[str], Triggers]:
    """`pattern` compiled, and its triggers, from one parse: parsing is most of compiling, and
    some four hundred patterns load at start-up (bench/check_reply.py times it). Inside
    `keeping(programs)`, a program kept from an earlier process is used instead.

    `word_start`: the pattern is a whole-word phrase, `(?<!\\w)...`; one with no triggers
    runs over whole replies, and is compiled with its look-behind after its first character
    (`_hoisted`), which finds the same matches several times faster."""
    programs = _PROGRAMS.get()
    if programs is None:
        return _compiled(pattern, flags, word_start)[:2]
    key = (pattern, int(flags), word_start)  # a plain int: marshal refuses re.RegexFlag
    kept = programs.used.get(key) or programs.kept.get(key)
    if kept is not None:
        try:
            expression = _expression(kept)
            found = tuple(frozenset(words) for words in kept[5])
        except Exception:  # a program this interpreter refuses (it checks the code), or an
            kept = None    # entry not of this shape: compile the pattern
        else:
            programs.used[key] = kept
            return expression, found
    expression, found, program = _compiled(pattern, flags, word_start)
    programs.compiled += 1
    if program is not None:
        programs.used[key] = program
    return expression, found


def _compiled(pattern: str, flags: int,
              word_start: bool = False) -> tuple[re.Pattern[str], Triggers, Program | None]:
    try:
        parsed = _sre.parse(pattern, flags)
        found = _from_tree(parsed)
        tree = (word_start and not found and _hoisted(parsed)) or parsed
        # What re._compiler.compile does, keeping its program for the rule cache.
        # Plain ints: the compiler's opcodes are an int subclass, which marshal refuses.
        code = list(map(int, _sre_compile._code(tree, flags)))
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        program: Program = (code, int(flags | parsed.state.flags), parsed.state.groups - 1,
                            groupindex, tuple(indexgroup), found)
        return _expression(program), found, program
    except re.error:
        raise
    except Exception:  # pragma: no cover - an interpreter whose internals differ
        expression = re.compile(pattern, flags)
        return expression, triggers(expression), None


def _expression(program: Program) -> re.Pattern[str]:
    # The regex engine's own constructor, as re._compiler.compile calls it: (pattern, flags,
    # code, groups, group names by index and by name); private to CPython, so called only here.
    code, flags, groups, groupindex, indexgroup, _ = program
    return _engine.compile(None, flags, code, groups, groupindex, indexgroup)


def _hoisted(parsed: Any) -> Any:
    """`(?<!\\w)X...` as `X(?<!\\wX)...` for each first character X, or None when some
    alternative does not start with one character (a literal or a class).

    The same matches: after X matched at p, "not a word character and then X" ending at p+1
    holds exactly when p follows no word character. But a pattern that starts with a
    character, not an assertion, lets the regex engine skip in C to where one of its first
    characters is (re's charset prefix), instead of trying every position of the reply: four
    times faster for a phrase with no triggers, which runs over the whole reply."""
    data = list(parsed.data)
    # A look-behind of one character, as the whole-word wrapper's "(?<!\\w)" is.
    if not data or data[0][0] is not _ASSERT_NOT or data[0][1][0] != -1 or (
            data[0][1][1].getwidth() != (1, 1)):
        return None
    behind = list(data[0][1][1].data)  # \w
    body = _after_first(data[1:], behind, parsed.state)
    return None if body is None else _sre.SubPattern(parsed.state, body)


def _after_first(items: list[Any], behind: list[Any], state: Any) -> list[Any] | None:
    if not items:
        return None
    op, value = items[0]
    if op in (_LITERAL, _IN):
        check = (_ASSERT_NOT, (-1, _sre.SubPattern(state, [*behind, items[0]])))
        return [items[0], check, *items[1:]]
    if op is _BRANCH:
        alternatives = [_after_first(list(a.data), behind, state) for a in value[1]]
        if any(a is None for a in alternatives):
            return None
        return [(op, (value[0], [_sre.SubPattern(state, a) for a in alternatives])), *items[1:]]
    if op is _SUBPATTERN and not value[1] and not value[2]:  # a group, no flags of its own
        inner = _after_first(list(value[3].data), behind, state)
        if inner is None:
            return None
        return [(op, (*value[:3], _sre.SubPattern(state, inner))), *items[1:]]
    return None


def triggers(expression: re.Pattern[str]) -> Triggers:
    """Sets of lower-case substrings, every match of `expression` holding one of each set;
    the rarest few, rarest first. Empty when the pattern requires no literal at all."""
    try:
        parsed = _sre.parse(expression.pattern, expression.flags)
    except (re.error, AttributeError, TypeError):  # pragma: no cover - a parser we do not know
        return ()
    return _from_tree(parsed)


def _from_tree(parsed: object) -> Triggers:
    sets = sorted(set(_required(list(parsed))), key=_rarity, reverse=True)  # type: ignore[call-overload]
    # A set with a function word or a lone letter in it is found in almost every clause: it
    # costs more to look for than it saves. Without a useful set, the pattern always runs.
    useful = [found for found in sets if _rarity(found)[0] >= _USEFUL]
    return tuple(useful[:_KEEP])


@cache
def _rarity(found: frozenset[str]) -> tuple[int, int]:
    # The rarest set has the longest shortest trigger, function words and punctuation
    # counting as empty and frequent words as short; then the fewest alternatives.
    # Cached, as _weight is: building one pattern's sets asks for the same ones many times.
    return min(map(_weight, found)), -len(found)


@cache
def _weight(trigger: str) -> int:
    word = trigger.strip(" .,;:!?'\"-()/")
    if word and not any(c.isalnum() for c in word):
        return _USEFUL + 1  # a symbol such as "@" or "$": rare in replies
    if not word or word in _FUNCTION_WORDS:
        return 0
    if word in _FREQUENT:
        return _FREQUENT_WEIGHT
    # A symbol such as "$" or an emoji is rare in replies, however short.
    return len(word) if word.isascii() else _USEFUL + 1


def _leads(branch: object) -> list[str] | None:
    """The literal text each alternative of a BRANCH starts with; None if one starts with none."""
    leads = []
    for alternative in branch[1]:  # type: ignore[index]
        lead = []
        for op, value in alternative:
            if getattr(op, "name", str(op)) != "LITERAL":
                break
            lead.append(chr(value).lower())
        if not lead:
            return None
        leads.append("".join(lead))
    return leads


def _required(items: Iterable[tuple[object, object]]) -> list[frozenset[str]]:
    """Every set of which a match of this sequence holds at least one member."""
    sets: list[frozenset[str]] = []
    run: list[str] = []
    for op, value in items:
        name = getattr(op, "name", str(op))
        if name == "LITERAL":
            run.append(chr(value).lower())  # type: ignore[arg-type]
            continue
        if run:
            prefix = "".join(run)
            # The parser factors "refund|return" into "re" + (fund|turn): put the words back
            # together, "re" alone is in every other word.
            leads = _leads(value) if name == "BRANCH" else None
            sets.append(frozenset(prefix + lead for lead in leads) if leads
                        else frozenset({prefix}))
            run = []
        sets.extend(_node(name, value))
    if run:
        sets.append(frozenset({"".join(run)}))
    return [found for found in sets if found and min(map(len, found)) > 0]


def _node(name: str, value: object) -> list[frozenset[str]]:
    if name == "SUBPATTERN":
        return _required(list(value[-1]))  # type: ignore[index]
    if name == "ATOMIC_GROUP":
        return _required(list(value))  # type: ignore[call-overload]
    if name == "BRANCH":
        # Each alternative contributes its rarest set; a branch with none requires nothing.
        best = [max(_required(list(branch)), key=_rarity, default=None)
                for branch in value[1]]  # type: ignore[index]
        if any(b is None for b in best):
            return []
        return [frozenset().union(*best)]  # type: ignore[arg-type]
    if name in _REPEATS:
        low, _, item = value  # type: ignore[misc]
        return _required(list(item)) if low >= 1 else []
    if name == "IN":
        chars = [chr(v).lower() for op, v in value  # type: ignore[attr-defined]
                 if getattr(op, "name", "") == "LITERAL"]
        small = len(chars) == len(value) <= _SMALL_CLASS  # type: ignore[arg-type]
        return [frozenset(chars)] if small else []
    return []  # assertions, categories, any character: nothing required


class Index:
    """Every rule's trigger sets, all found in one pass over a reply.

    An Aho-Corasick automaton (pyahocorasick, in C) finds every occurrence of every trigger,
    overlapping ones included, in one pass: about 40 microseconds for 2,000 characters and
    five hundred triggers, where the regex engine needs ten times as long.
    """

    def __init__(self, sets: Iterable[frozenset[str]]) -> None:
        sets_of: dict[str, list[frozenset[str]]] = {}
        for found in set(sets):
            for word in found:
                if word:
                    sets_of.setdefault(word, []).append(found)
        # Each word carries its length and a number: the sets it is in are _holding[number].
        self._automaton = ahocorasick.Automaton()
        self._holding = [tuple(holding) for holding in sets_of.values()]
        for number, word in enumerate(sets_of):
            self._automaton.add_word(word, (len(word) - 1, number))
        self._empty = not sets_of
        if sets_of:
            self._automaton.make_automaton()

    def scan(self, lower: str, clause_starts: list[int]) -> dict[frozenset[str], int]:
        """For each trigger set with a trigger in `lower` (the reply in lower case), the
        clauses (starting at `clause_starts`) where one occurs, as a bit mask: bit i for
        clause i. Masks, not sets: a union or an intersection is one machine operation, and
        building them was most of this pass's time."""
        active: dict[frozenset[str], int] = {}
        if self._empty:
            return active
        masks: dict[int, int] = {}
        get = masks.get
        for end, (back, number) in self._automaton.iter(lower):
            masks[number] = get(number, 0) | 1 << (bisect_right(clause_starts, end - back) - 1)
        holding = self._holding
        for number, mask in masks.items():
            for found in holding[number]:
                active[found] = active.get(found, 0) | mask
        return active
