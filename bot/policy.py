"""The policy files in rules/, loaded and checked once: a bad file stops start-up in one line."""

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.domain.buyer_messages import RelayRules
from bot.domain.returns import HolidayWindow, ReturnRules
from bot.domain.reviews import ReviewWindow
from bot.domain.shipping import ShippingRules
from bot.errors import ConfigError, problem_of
from bot.paths import rules_dir
from bot.yaml_files import read_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Sourced(_Strict):
    source: str = Field(pattern=r"^https://")
    # A date, quoted or not (YAML reads 2026-10-15 unquoted as one).
    effective: date
    confirmed: bool


class _MediaDays(_Sourced):
    value: int = Field(ge=0, le=30)


class _MediaCategories(_Sourced):
    value: list[str] = Field(min_length=1)


class _AutoCancel(_Sourced):
    days: int = Field(ge=1, le=60)
    unit: Literal["calendar", "business"]
    warn_days_before: int = Field(ge=0, le=30)


class _LateShipmentRate(_Sourced):
    target: float = Field(gt=0, lt=1)
    windows_days: list[int] = Field(min_length=1)
    minimum_orders: int = Field(ge=1)


class _ShippingFile(_Strict):
    media_handling_days: _MediaDays
    media_categories: _MediaCategories
    auto_cancel: _AutoCancel
    late_shipment_rate: _LateShipmentRate
    handling_days_by_sku: dict[str, int] = Field(default_factory=dict)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


_M = TypeVar("_M", bound=BaseModel)


def _load(name: str, model: type[_M], seller_file: Path | None) -> tuple[_M, Path]:
    """rules/`name`, with the seller's own file laid over it, checked against `model`."""
    path = rules_dir() / name
    data = read_yaml(path)
    if seller_file is not None:
        path = seller_file
        data = _merge(data, read_yaml(seller_file))
    try:
        return model.model_validate(data), path
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        raise ConfigError("rules_invalid", path=str(path), key=key, **problem_of(error)) from None


@cache
def shipping_rules(seller_file: Path | None = None) -> ShippingRules:
    """rules/shipping.yaml, with the seller's own file (SHIPPING_RULES) laid over it."""
    parsed, path = _load("shipping.yaml", _ShippingFile, seller_file)
    for sku, days in parsed.handling_days_by_sku.items():
        if not 0 <= days <= 30:
            raise ConfigError("rules_invalid", path=str(path), key=f"handling_days_by_sku.{sku}",
                              problem="handling_days", params={})
    return ShippingRules(
        media_handling_days=parsed.media_handling_days.value,
        media_categories=frozenset(c.strip().lower() for c in parsed.media_categories.value),
        auto_cancel_days=parsed.auto_cancel.days,
        auto_cancel_business_days=parsed.auto_cancel.unit == "business",
        auto_cancel_warn_days=parsed.auto_cancel.warn_days_before,
        lsr_target=parsed.late_shipment_rate.target,
        lsr_windows_days=tuple(parsed.late_shipment_rate.windows_days),
        lsr_minimum_orders=parsed.late_shipment_rate.minimum_orders,
        sku_handling_days=dict(parsed.handling_days_by_sku),
    )


class _Days(_Sourced):
    days: int = Field(ge=0, le=365)


class _Estimate(_Sourced):
    days_after_ship_by: int = Field(ge=0, le=60)


class _Holiday(_Sourced):
    name: str = Field(min_length=1)
    purchased_from: date
    purchased_until: date
    return_by: date


class _Late(_Sourced):
    days: int = Field(ge=0, le=365)
    fee_percent: int = Field(ge=0, le=100)


class _Percent(_Sourced):
    percent: int = Field(ge=0, le=100)


class _Fees(_Strict):
    opened_media: _Percent
    opened_software: _Percent
    not_original_condition: _Percent
    photo_required_from_percent: _Percent


class _Classes(_Strict):
    media: list[str]
    software: list[str]


class _NonReturnable(_Sourced):
    categories: dict[str, str]
    skus: dict[str, str] = Field(default_factory=dict)


class _Deadlines(_Sourced):
    manual_authorization_hours: int = Field(ge=1, le=240)
    refund_business_days: int = Field(ge=0, le=30)


class _Link(_Strict):
    title: str = Field(min_length=1)
    # Shown as a Slack link, <url|title>: a space, < > or | would end it early.
    url: str = Field(pattern=r"^https://[^\s<>|]+$")


class _ReturnsFile(_Strict):
    standard_window: _Days
    transit_grace: _Days
    delivery_estimate: _Estimate
    holiday_windows: list[_Holiday]
    late_return: _Late
    restocking_fees: _Fees
    item_classes: _Classes
    non_returnable: _NonReturnable
    deadlines: _Deadlines
    links: list[_Link]


@cache
def return_rules(seller_file: Path | None = None) -> ReturnRules:
    """rules/returns.yaml, with the seller's own file (RETURNS_RULES) laid over it."""
    parsed, path = _load("returns.yaml", _ReturnsFile, seller_file)
    for n, window in enumerate(parsed.holiday_windows):
        if not window.purchased_from <= window.purchased_until < window.return_by:
            raise ConfigError("rules_invalid", path=str(path), key=f"holiday_windows.{n}",
                              problem="window_order", params={})
    fees = parsed.restocking_fees
    return ReturnRules(
        window_days=parsed.standard_window.days,
        transit_days=parsed.transit_grace.days,
        estimate_days_after_ship_by=parsed.delivery_estimate.days_after_ship_by,
        holiday_windows=tuple(
            HolidayWindow(w.name, w.purchased_from, w.purchased_until, w.return_by, w.confirmed)
            for w in parsed.holiday_windows),
        late_days=parsed.late_return.days,
        late_fee_percent=parsed.late_return.fee_percent,
        opened_media_percent=fees.opened_media.percent,
        opened_software_percent=fees.opened_software.percent,
        not_original_percent=fees.not_original_condition.percent,
        photo_from_percent=fees.photo_required_from_percent.percent,
        media_categories=frozenset(c.strip().lower() for c in parsed.item_classes.media),
        software_categories=frozenset(c.strip().lower() for c in parsed.item_classes.software),
        non_returnable_categories={k.strip().lower(): v
                                   for k, v in parsed.non_returnable.categories.items()},
        non_returnable_skus=dict(parsed.non_returnable.skus),
        authorization_hours=parsed.deadlines.manual_authorization_hours,
        refund_business_days=parsed.deadlines.refund_business_days,
        links=tuple((link.title, link.url) for link in parsed.links),
    )


class _Window(_Sourced):
    opens_days_after_earliest_delivery: int = Field(ge=0, le=90)
    closes_days_after_latest_delivery: int = Field(ge=1, le=365)


class _RateLimit(_Sourced):
    per_second: float = Field(gt=0, le=100)
    burst: int = Field(ge=1, le=100)


class _ReviewsFile(_Strict):
    window: _Window
    rate_limit: _RateLimit


@cache
def review_window() -> ReviewWindow:
    """rules/reviews.yaml: Amazon's window for "Request a Review" and its rate limit."""
    parsed, _path = _load("reviews.yaml", _ReviewsFile, None)
    return ReviewWindow(
        opens_days=parsed.window.opens_days_after_earliest_delivery,
        closes_days=parsed.window.closes_days_after_latest_delivery,
        per_second=parsed.rate_limit.per_second,
        burst=parsed.rate_limit.burst,
    )


class _Domains(_Sourced):
    value: dict[str, str] = Field(min_length=1)


class _Words(_Sourced):
    value: list[str] = Field(min_length=1)


class _Header(_Sourced):
    name: str = Field(min_length=1)
    buyer_message: str = Field(min_length=1)


class _Markers(_Sourced):
    start: list[str] = Field(min_length=1)
    end: list[str] = Field(min_length=1)


class _BuyerMessagesFile(_Strict):
    relay_domains: _Domains
    not_buyers: _Words
    notification_header: _Header
    message_markers: _Markers


@cache
def relay_rules() -> RelayRules:
    """rules/buyer_messages.yaml: how Amazon's relayed buyer messages are recognised."""
    parsed, _path = _load("buyer_messages.yaml", _BuyerMessagesFile, None)
    return RelayRules(
        domains={code: domain.lower() for code, domain in parsed.relay_domains.value.items()},
        not_buyers=frozenset(word.lower() for word in parsed.not_buyers.value),
        header=parsed.notification_header.name,
        buyer_message=parsed.notification_header.buyer_message,
        start_markers=tuple(parsed.message_markers.start),
        end_markers=tuple(parsed.message_markers.end),
    )
