"""The demo seller: about 300 realistic orders over the last 45 days, relative to `now`.

Deterministic: the same `now` gives the same records, so a demo can be shown, tested and
refreshed. Products are real books (their ISBN-10 as ASIN, as Amazon does), music, video and
invented household goods; there is no buyer data at all, as with every other source.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.domain.calendar import BusinessCalendar
from bot.domain.marketplaces import Marketplace
from bot.domain.records import Channel, Order, OrderItem, OrderStatus, ReturnRequest
from bot.domain.shipping import ShippingRules, auto_cancel_at, end_of_day
from bot.sources.demo_catalog import CATALOG, Product

SEED = 20261126
ORDERS = 300
DAYS = 45


_TAX = Decimal("0.0725")
_CENT = Decimal("0.01")


@dataclass
class DemoSeller:
    """The demo's records, ready for the store."""

    orders: list[Order]
    items: list[OrderItem]
    returns: list[ReturnRequest]


class _Builder:
    def __init__(self, now: datetime, tz: ZoneInfo, calendar: BusinessCalendar,
                 marketplace: Marketplace, rules: ShippingRules) -> None:
        self.rng = random.Random(SEED)
        self.rules = rules
        self.now, self.tz, self.calendar, self.market = now, tz, calendar, marketplace
        self.today = now.astimezone(tz).date()
        self.seller = DemoSeller([], [], [])
        self.used_ids: set[str] = set()

    def order_id(self) -> str:
        while True:
            rng = self.rng
            order_id = (f"{rng.choice((111, 112, 113, 114))}-{rng.randrange(10**7):07d}"
                        f"-{rng.randrange(10**7):07d}")
            if order_id not in self.used_ids:
                self.used_ids.add(order_id)
                return order_id

    def products(self) -> list[Product]:
        count = 1 if self.rng.random() < 0.85 else 2
        return self.rng.sample(CATALOG, count)

    def deadline(self, purchased: datetime, products: list[Product]) -> datetime:
        media = any(p.category in ("Books", "Music", "Video DVD") for p in products)
        days = self.rules.media_handling_days if media else max(p.handling_days for p in products)
        local_day = purchased.astimezone(self.tz).date()
        return end_of_day(self.calendar.add_business_days(local_day, days), self.tz)

    def add(self, purchased: datetime, products: list[Product], status: OrderStatus,
            deadline: datetime, *, shipped_at: datetime | None = None,
            delivered_at: datetime | None = None, shipped_lines: int | None = None,
            channel: Channel = Channel.MERCHANT) -> Order:
        rng = self.rng
        order_id = self.order_id()
        prime = rng.random() < 0.22
        delivery_day = self.calendar.add_business_days(
            deadline.astimezone(self.tz).date(), 2 if prime else 5
        )
        last_update = max(t for t in (purchased, shipped_at, delivered_at) if t is not None)
        last_update = min(last_update + timedelta(minutes=rng.randint(1, 50)), self.now)
        total = Decimal(0)
        for line, product in enumerate(products):
            quantity = 2 if rng.random() < 0.1 else 1
            price = product.price * quantity
            tax = (price * _TAX).quantize(_CENT)
            shipping = Decimal("3.99") if product.category == "Books" else Decimal("0.00")
            if status is OrderStatus.SHIPPED:
                shipped = quantity
            elif shipped_lines is not None:
                shipped = quantity if line < shipped_lines else 0
            else:
                shipped = 0
            total += price + tax + shipping
            self.seller.items.append(OrderItem(
                order_id=order_id, sku=product.sku, order_item_id=f"{rng.randrange(10**14):014d}",
                asin=product.asin, title=product.title, quantity_ordered=quantity,
                quantity_shipped=shipped, item_price=price, item_tax=tax,
                shipping_price=shipping, shipping_tax=Decimal("0.00"),
                condition="Used" if "-U-" in product.sku else "New",
                product_category=product.category, last_update=last_update,
            ))
        order = Order(
            order_id=order_id,
            purchase_date=purchased,
            last_update=last_update,
            status=status,
            fulfillment_channel=channel,
            marketplace_id=self.market.marketplace_id,
            ship_service_level="Expedited" if prime else "Standard",
            is_prime=prime,
            is_business=rng.random() < 0.04,
            earliest_ship_date=purchased,
            latest_ship_date=deadline,
            earliest_delivery_date=end_of_day(delivery_day - timedelta(days=3), self.tz),
            latest_delivery_date=end_of_day(delivery_day, self.tz),
            shipped_at=shipped_at,
            delivered_at=delivered_at,
            order_total=None if status is OrderStatus.PENDING else total,
            currency=self.market.currency,
            ship_country=self.market.country,
        )
        self.seller.orders.append(order)
        return order

    def history(self) -> None:
        """Orders of the last 45 days, shipped or cancelled or open as their age makes likely."""
        rng, now = self.rng, self.now
        for _ in range(ORDERS - 14):
            purchased = now - timedelta(seconds=rng.uniform(0, DAYS * 86400))
            products = self.products()
            deadline = self.deadline(purchased, products)
            roll = rng.random()
            if now - purchased < timedelta(hours=1) and roll < 0.6:
                self.add(purchased, products, OrderStatus.PENDING, deadline)
            elif roll < 0.03:
                self.add(purchased, products, OrderStatus.CANCELED, deadline)
            elif roll < 0.08:
                shipped_at = purchased + timedelta(hours=rng.uniform(3, 20))
                self.add(purchased, products, OrderStatus.SHIPPED, deadline,
                         shipped_at=min(shipped_at, now), channel=Channel.AMAZON)
            elif deadline < now or (now - purchased > timedelta(hours=20) and roll < 0.55):
                # Most parcels go out well in time; about one in forty is confirmed late.
                if roll < 0.105:
                    shipped_at = deadline + timedelta(hours=rng.uniform(2, 30))
                else:
                    shipped_at = purchased + (deadline - purchased) * rng.uniform(0.2, 0.9)
                shipped_at = min(shipped_at, now)
                delivered_at = shipped_at + timedelta(days=rng.uniform(2, 6))
                self.add(purchased, products, OrderStatus.SHIPPED, deadline,
                         shipped_at=shipped_at,
                         delivered_at=delivered_at if delivered_at < now else None)
            else:
                self.add(purchased, products, OrderStatus.UNSHIPPED, deadline)

    def _placed_before(self, deadline_day: date) -> datetime:
        """A purchase time that Amazon's two business days of handling would give
        `deadline_day` as its ship-by, and that is not in the future."""
        day = self.calendar.business_day_before(deadline_day, 2)
        start = datetime.combine(day, time(7, 0), self.tz)
        return min(start + timedelta(hours=self.rng.uniform(0, 14)), self.now)

    def _near_cancel(self) -> date:
        """The business day a deadline can have fallen on for Amazon's auto-cancel to come
        soonest while still ahead: inside the lists' warning when the calendar allows one."""
        day, chosen = self.today, self.calendar.business_day_before(self.today, 3)
        for _ in range(14):
            day = self.calendar.business_day_before(day, 1)
            cancel = auto_cancel_at(end_of_day(day, self.tz), self.tz, self.calendar, self.rules)
            if cancel <= self.now:
                break  # this one and every earlier day: Amazon would have cancelled already
            chosen = day
        return chosen

    def scenarios(self) -> None:
        """The cases a seller's morning is about, whatever day the demo runs on. Every deadline
        is set the way Amazon sets it, through the business-day calendar: on a Sunday or a
        holiday nothing is due that day."""
        rng, now = self.rng, self.now
        # Due today; on a day off, due the next business day instead, as the weekend's are.
        due_day = self.today
        if not self.calendar.is_business_day(due_day):
            due_day = self.calendar.next_business_day(due_day)
        for n in range(5):
            purchased = self._placed_before(due_day)
            if n == 4:
                self.add(purchased, rng.sample(CATALOG, 2), OrderStatus.PARTIALLY_SHIPPED,
                         end_of_day(due_day, self.tz), shipped_lines=1)
            else:
                self.add(purchased, self.products(), OrderStatus.UNSHIPPED,
                         end_of_day(due_day, self.tz))
        # Late and unconfirmed: one business day, three, and one whose auto-cancel by Amazon
        # is near (inside the warning the lists give) but still ahead.
        for day in (self.calendar.business_day_before(self.today, 1),
                    self.calendar.business_day_before(self.today, 3), self._near_cancel()):
            self.add(self._placed_before(day), self.products(), OrderStatus.UNSHIPPED,
                     end_of_day(day, self.tz))
        next_day = self.calendar.next_business_day(self.today)
        for _ in range(4):
            purchased = now - timedelta(hours=rng.uniform(1, 12))
            self.add(purchased, self.products(), OrderStatus.UNSHIPPED,
                     end_of_day(next_day, self.tz))
        # Just placed, payment not yet authorized: not shippable, never at risk.
        for _ in range(2):
            purchased = now - timedelta(minutes=rng.uniform(5, 40))
            products = self.products()
            self.add(purchased, products, OrderStatus.PENDING, self.deadline(purchased, products))

    def returns(self) -> None:
        """A few return requests on delivered orders, in every state support meets."""
        delivered = [
            o for o in self.seller.orders
            if o.delivered_at is not None and self.now - o.delivered_at < timedelta(days=25)
        ]
        plans = (
            ("Pending", "CR-UNWANTED_ITEM", "Customer", False, False),
            ("Approved", "CR-DEFECTIVE", "Seller", True, False),
            ("Approved", "CR-MISSED_ESTIMATED_DELIVERY", "Seller", True, True),
            ("Completed", "CR-ORDERED_WRONG_ITEM", "Customer", True, False),
            ("Completed", "AMZ-PG-BAD-DESC", "Seller", True, False),
        )
        items = {item.order_id: item for item in self.seller.items}
        for order, (status, reason, payer, in_policy, a_to_z) in zip(
            self.rng.sample(delivered, min(len(delivered), len(plans))), plans, strict=False
        ):
            item = items[order.order_id]
            assert order.delivered_at is not None
            requested = min(order.delivered_at + timedelta(days=self.rng.uniform(1, 8)), self.now)
            amount = (item.item_price or Decimal(0)) + (item.item_tax or Decimal(0))
            label = Decimal("6.02")
            completed = status == "Completed"
            self.seller.returns.append(ReturnRequest(
                order_id=order.order_id,
                amazon_rma_id=f"D{self.rng.randrange(16**10):010x}RMA",
                sku=item.sku,
                order_date=order.purchase_date.astimezone(self.tz).date()
                if order.purchase_date else None,
                request_date=requested.astimezone(self.tz).date(),
                status=status,
                label_type=None if status == "Pending" else "AmazonPrePaidLabel",
                label_cost=None if status == "Pending" else label,
                currency=self.market.currency,
                carrier=None if status == "Pending" else "USPS",
                label_paid_by=None if status == "Pending" else payer,
                a_to_z_claim=a_to_z,
                is_prime=order.is_prime,
                asin=item.asin,
                item_name=item.title,
                quantity=item.quantity_ordered,
                reason=reason,
                in_policy=in_policy,
                return_type="C-Returns",
                resolution="StandardRefund",
                order_amount=amount,
                order_quantity=item.quantity_ordered,
                refunded_amount=(amount - label if payer == "Customer" else amount)
                if completed else None,
            ))


def demo_seller(now: datetime, tz: ZoneInfo, calendar: BusinessCalendar,
                marketplace: Marketplace, rules: ShippingRules) -> DemoSeller:
    """Build the demo seller as seen at `now`."""
    builder = _Builder(now, tz, calendar, marketplace, rules)
    builder.history()
    builder.scenarios()
    builder.returns()
    builder.seller.orders.sort(key=lambda o: o.purchase_date or now)
    return builder.seller
