"""The policy files in rules/, loaded and checked once: a bad file stops start-up in one line."""

from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.domain.shipping import ShippingRules
from bot.errors import ConfigError
from bot.paths import rules_dir


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Sourced(_Strict):
    source: str = Field(pattern=r"^https://")
    effective: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
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


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError("rules_invalid", path=str(path), key="", problem=exc.strerror) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise ConfigError("rules_invalid", path=str(path), key=where,
                          problem="not valid YAML") from None
    if not isinstance(data, dict):
        raise ConfigError("rules_invalid", path=str(path), key="", problem="expected a mapping")
    return data


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@cache
def shipping_rules(seller_file: Path | None = None) -> ShippingRules:
    """rules/shipping.yaml, with the seller's own file (SHIPPING_RULES) laid over it."""
    path = rules_dir() / "shipping.yaml"
    data = _read(path)
    if seller_file is not None:
        path = seller_file
        data = _merge(data, _read(seller_file))
    try:
        parsed = _ShippingFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        raise ConfigError("rules_invalid", path=str(path), key=key, problem=error["msg"]) from None
    for sku, days in parsed.handling_days_by_sku.items():
        if not 0 <= days <= 30:
            raise ConfigError("rules_invalid", path=str(path), key=f"handling_days_by_sku.{sku}",
                              problem="must be 0 to 30 business days")
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
