"""Use cases: where the store meets the domain, one module per capability.

Slack listeners, the CLI and the jobs call these, never the store or the sources; each takes
the instant it is about (`as_of`, `now`, `today`) as an argument and reads no clock. The
objects they need (the seller, the checker, the SP-API client) are built at the edge, by the
app factory and the CLI (bot/wiring.py).

- sellers: the seller as the use cases see it (time zone, calendar, rules).
- orders: the order lists and one order (`/orders`), and finding an order from part of its id.
- returns: whether an order can still be returned (`/can-return`).
- digests: the morning digest, App Home's figures, the health check.
- reply_checks: Check reply, audited.
- imports, import_pipeline, import_batches: report files into the store.
- stamps, deadlines: each open order's deadline, stamped as it is stored and computed again
  when the settings or calendar that decide it change.
- syncs: orders from the SP-API into the store.
- shipments: confirming a shipment to Amazon, once.
- demo: the demo seller.
"""
