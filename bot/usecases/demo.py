"""The demo seller: realistic orders, loaded so every feature runs with no credentials."""

from dataclasses import dataclass
from datetime import datetime

from bot.errors import BadInput
from bot.sources.demo import demo_seller
from bot.store import Database, queries
from bot.store.writer import Writer
from bot.usecases.sellers import Seller
from bot.usecases.stamps import stamped


@dataclass(frozen=True)
class DemoLoaded:
    """What `sellerbot demo` stored."""

    orders: int
    items: int
    returns: int
    by_status: dict[str, int]


def load_demo(db: Database, seller: Seller, now: datetime) -> DemoLoaded:
    """Replace the demo seller's data with a fresh one as seen at `now`; BadInput when the
    database holds the seller's own orders, which the demo's would mix with."""
    demo = demo_seller(now, seller.timezone, seller.calendar, seller.marketplace, seller.rules)
    with db.begin() as conn:
        own = sum(queries.count_by_status(conn, demo=False).values())
        if own:
            # Made-up orders in the real lists, digest and Late Shipment Rate, until the
            # next import: the demo goes in a database of its own.
            raise BadInput("demo_beside_own_orders", orders=own, database=db.safe_url)
        queries.delete_demo(conn)
        writer = Writer(conn, demo=True, seen=now)
        for record in stamped((*demo.orders, *demo.items, *demo.returns), seller):
            writer.add(record)
        writer.flush()
        queries.record_import(conn, file_name="(demo seller)", kind="demo",
                              rows=len(demo.orders), checksum="", imported_at=now)
        # The demo's own: the seller's orders in the same store are not the demo's.
        by_status = queries.count_by_status(conn, demo=True)
    return DemoLoaded(
        orders=len(demo.orders), items=len(demo.items), returns=len(demo.returns),
        by_status=by_status,
    )
