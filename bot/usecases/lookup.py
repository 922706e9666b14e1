"""Finding an order from its id as typed, or enough of it: one grammar for every command."""

from bot.domain.order_ids import read_order_reference
from bot.errors import BadInput, NotFound
from bot.store import Database, queries

# Candidates listed when a part of an id matches several orders.
MAX_CANDIDATES = 10


def find_order_id(db: Database, text: str, *, usage: str = "order_id_usage") -> str:
    """The order id `text` means: a full id, or a fragment exactly one stored order contains.
    Every command and listener that takes an order reads it here: one grammar.

    Raises BadInput with the `usage` line for nonsense, order_id_malformed for digits that no
    order id can hold (one too many), or the candidates when several orders match; NotFound
    when none does.
    """
    reference = read_order_reference(text)
    if reference.kind == "id":
        return reference.value
    if reference.kind == "too-long":
        raise BadInput("order_id_malformed", text=text.strip()[:40])
    if reference.kind == "not-an-id":
        raise BadInput(usage, text=text.strip()[:40])
    fragment = reference.value
    with db.begin() as conn:
        found = queries.order_ids_containing(conn, fragment, MAX_CANDIDATES + 1)
    if not found:
        raise NotFound("order_not_found", order_id=fragment)
    if len(found) > 1:
        raise BadInput("order_ambiguous", text=fragment, candidates=found[:MAX_CANDIDATES],
                       more=len(found) > MAX_CANDIDATES)
    return found[0]
