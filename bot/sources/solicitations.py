"""Amazon's Solicitations API through python-amazon-sp-api: whether "Request a Review" is offered
for an order, and sending it (messaging.md §3.3; amzn/selling-partner-api-models,
solicitations.json). Amazon's rate limit is kept before every call, and its 429s waited out.
Nothing about the buyer is asked for or read: the answers carry only links.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

from sp_api.api import Solicitations

from bot.config import Settings
from bot.domain.reviews import ReviewWindow
from bot.errors import ConfigError
from bot.sources.sp_api_calls import Calls, call
from bot.sources.sp_api_http import library_client

# The one solicitation Amazon offers: a request for a product review and seller feedback.
REVIEW_ACTION = "productReviewAndSellerFeedback"


class Pace:
    """A token bucket: `per_second` calls a second on average, `burst` at once."""

    def __init__(self, per_second: float, burst: int, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._rate, self._burst = per_second, burst
        self._tokens, self._clock, self._sleep = float(burst), clock, sleep
        self._at = clock()
        # One client serves every thread (Slack's clicks, the daily job): one bucket for all.
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Return when one more call keeps within the limit."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
            self._at = now
            if self._tokens < 1:
                self._sleep((1 - self._tokens) / self._rate)
                self._tokens, self._at = 1.0, self._clock()
            self._tokens -= 1


class SolicitationsApi:
    """"Request a Review" for the seller's marketplace."""

    def __init__(self, settings: Settings, window: ReviewWindow, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not settings.sp_api_configured:
            raise ConfigError("sp_api_not_configured", missing=settings.sp_api_unset)
        self.marketplace_id = settings.market.marketplace_id
        self.calls = Calls()
        self._sleep = sleep
        self._pace = Pace(window.per_second, window.burst, clock=clock, sleep=sleep)
        self._client = library_client(Solicitations, settings)

    def offered(self, order_id: str, marketplace_id: str | None = None) -> bool:
        """Whether Amazon offers "Request a Review" for `order_id`, placed in `marketplace_id`
        (the seller's when None), now (getSolicitationActionsForOrder): not before its window,
        not after, not a second time."""
        response = self._call("getSolicitationActionsForOrder",
                              self._client.get_solicitation_actions_for_order, order_id,
                              marketplace_id)
        links = response.payload.get("_links") if isinstance(response.payload, dict) else None
        actions = links.get("actions") if isinstance(links, dict) else None
        return any(isinstance(a, dict) and a.get("name") == REVIEW_ACTION
                   for a in actions or [])

    def request_review(self, order_id: str, marketplace_id: str | None = None) -> None:
        """Send it (createProductReviewAndSellerFeedbackSolicitation); Amazon answers 201.
        Sent once: after a server error or a dropped connection Amazon may have taken it, and
        a second request for an order is one Amazon bans (messaging.md §3.3); the next
        attempt asks Amazon first (bot/usecases/reviews.py)."""
        self._call("createProductReviewAndSellerFeedbackSolicitation",
                   self._client.create_product_review_and_seller_feedback_solicitation, order_id,
                   marketplace_id, once=True)

    def _call(self, operation: str, method: Callable[..., Any], order_id: str,
              marketplace_id: str | None, once: bool = False) -> Any:
        self._pace.wait()
        # Amazon asks for the marketplace the order was placed in: one of a unified account's
        # others (an amazon.ca order in an amazon.com store) is not offered under the seller's.
        return call(operation, method, self.calls, self._sleep, once=once,
                    amazonOrderId=order_id,
                    marketplaceIds=[marketplace_id or self.marketplace_id])
