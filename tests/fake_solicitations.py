"""The Solicitations API in the local fake SP-API (tests/fake_sp_api.py), as Amazon's model
describes it (amzn/selling-partner-api-models, solicitations.json): getSolicitationActions
ForOrder answers HAL links, `_links.actions` holding productReviewAndSellerFeedback while the
request is offered; createProductReviewAndSellerFeedbackSolicitation answers 201 once per
order, and 400 after. Orders can be made "not offered" (out of their window, as Amazon says).
Throttling and errors come from FakeSpApi.fail, like every other operation's."""

import threading
from collections import Counter
from typing import Any

ACTION = "productReviewAndSellerFeedback"
PREFIX = "/solicitations/v1/orders/"


class FakeSolicitations:
    """Which orders were asked, how many times, and which Amazon does not offer."""

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()
        self.not_offered: set[str] = set()
        self._lock = threading.Lock()

    def answer(self, method: str, path: str, query: dict[str, str]
               ) -> tuple[int, Any, dict[str, str]]:
        """Amazon's answer to a request under PREFIX."""
        if not query.get("marketplaceIds"):
            return 400, {"errors": [{"code": "InvalidInput",
                                     "message": "marketplaceIds is required."}]}, {}
        order_id, _, rest = path.removeprefix(PREFIX).partition("/")
        with self._lock:
            offered = order_id not in self.not_offered and not self.sent[order_id]
            if method == "GET" and not rest:
                return 200, self._actions(order_id, query["marketplaceIds"], offered), {}
            if method == "POST" and rest == f"solicitations/{ACTION}":
                if not offered:
                    return 400, {"errors": [{"code": "InvalidInput", "message":
                                             "The solicitation is not available for this "
                                             "order."}]}, {}
                self.sent[order_id] += 1
                return 201, {}, {}
        return 404, {"errors": [{"code": "NotFound", "message": f"no resource {path}"}]}, {}

    @staticmethod
    def _actions(order_id: str, marketplace: str, offered: bool) -> dict[str, Any]:
        base = f"{PREFIX}{order_id}"
        actions = [{"href": f"{base}/solicitations/{ACTION}?marketplaceIds={marketplace}",
                    "name": ACTION}] if offered else []
        return {"_links": {"actions": actions,
                           "self": {"href": f"{base}?marketplaceIds={marketplace}"}},
                "_embedded": {"actions": [
                    {"_links": {"schema": {"href": f"{base}/solicitations/{ACTION}/schema",
                                           "name": ACTION}}} for _ in actions]}}
