"""Settings from the environment and an optional .env file; README's table documents each one."""

import re
from datetime import date, time
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.domain.calendar import WEEKDAYS
from bot.domain.marketplaces import Marketplace, find_marketplace
from bot.domain.schedule import DigestSchedule, ScheduleError, parse_schedules
from bot.domain.slack_ids import channel_id, user_id
from bot.errors import ConfigError, Problem, problem_of
from bot.mail_settings import MailSettings, comma_parts
from bot.paths import default_database_url

_HH_MM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
# WEEKEND_OPERATING_DAYS' words, as date.weekday() numbers the days.
_WEEKEND = {"saturday": 5, "sunday": 6}


class Settings(MailSettings):
    """Every setting sellerbot reads; names are the environment variables, upper-cased (the
    buyer messages' in bot/mail_settings.py)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    # One place a user can find, whatever folder a command runs from (bot/paths.py).
    database_url: str = Field(default_factory=default_database_url)
    # None: the marketplace's own zone (marketplaces.py).
    seller_timezone: str | None = None
    marketplace: str = "US"
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    host: str = "0.0.0.0"  # noqa: S104 - a server inside a container or behind a proxy
    port: int = Field(default=3000, ge=1, le=65535)
    allowed_channels: str | None = None
    allowed_users: str | None = None
    digest_channel: str | None = None
    digest_time: str = "08:00"
    digest_catchup_until: str = "12:00"
    # Imported orders, lines and returns older than this many days are deleted each night.
    retention_days: int = Field(default=90, ge=1, le=3650)
    # Amazon lets a seller set 0 to 30 days of handling time (shipping.md §2).
    default_handling_days: int = Field(default=2, ge=0, le=30)
    non_working_days: str | None = None
    # Saturday and Sunday count toward ship-by only when switched on in Seller Central, and
    # a listed holiday only until the seller overrides it (shipping.md §3).
    weekend_operating_days: str | None = None
    working_holidays: str | None = None
    shipping_rules: Path | None = None
    returns_rules: Path | None = None
    extra_rules: Path | None = None
    # Selling Partner API, under the names python-amazon-sp-api reads (sp-api.md §9).
    lwa_app_id: SecretStr | None = None
    lwa_client_secret: SecretStr | None = None
    sp_api_refresh_token: SecretStr | None = None
    sp_api_endpoint: str | None = None
    lwa_token_url: str = "https://api.amazon.com/auth/o2/token"  # noqa: S105 - a URL, not a secret
    # v2026-01-01 by default: the v0 read operations are deprecated (sp-api.md §1).
    orders_api_version: Literal["2026-01-01", "v0"] = "2026-01-01"
    sync_interval_minutes: int = Field(default=15, ge=1, le=1440)
    # The first sync's reach; the Orders API returns nothing older than two years (§1).
    sync_first_days: int = Field(default=30, ge=1, le=730)
    # Amazon's "Request a Review" (messaging.md §3.3): off, sent by hand, or daily.
    review_requests: Literal["off", "manual", "auto"] = "off"
    # Days after delivery; Amazon takes requests from 5 days after delivery to 30 after.
    review_request_days: int = Field(default=7, ge=5, le=30)
    review_amazon_fulfilled: bool = False
    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise Problem("not_database_url") from None
        # Hosting platforms hand out postgres:// URLs, and guides postgresql+psycopg2:// ones;
        # sellerbot speaks to PostgreSQL via psycopg 3, which it installs (and imports use).
        if url.drivername == "postgres":
            url = url.set(drivername="postgresql")
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise Problem("unsupported_database")
        if url.get_backend_name() == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)

    @field_validator("seller_timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if not value:
            return None  # unset, or set empty in .env: the marketplace's zone
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise Problem("unknown_time_zone", value=value) from None
        return value

    @field_validator("marketplace")
    @classmethod
    def _marketplace(cls, value: str) -> str:
        found = find_marketplace(value)
        if found is None:
            raise Problem("unknown_marketplace", value=value)
        return found.code

    @field_validator("slack_api_url")
    @classmethod
    def _slack_api_url(cls, value: str) -> str:
        if not re.match(r"https?://[^/\s]+", value):
            raise Problem("not_http_url", value=value)
        # slack_sdk joins method names onto the base URL, which must end with a slash.
        return value if value.endswith("/") else value + "/"

    @field_validator("sp_api_endpoint", "lwa_token_url")
    @classmethod
    def _http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            # Set but empty, as a hosting platform's form leaves it: the default.
            return cls.model_fields[info.field_name].default  # type: ignore[index]
        if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value.strip()):
            raise Problem("not_http_url", value=value)
        return value.strip()

    @field_validator("allowed_channels", "allowed_users")
    @classmethod
    def _slack_ids(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Names change and are not unique; ids (C0123ABCD, U0123ABCD) are what Slack sends.
        is_id, problem = ((channel_id, "not_channel_id") if info.field_name == "allowed_channels"
                          else (user_id, "not_user_id"))
        for part in comma_parts(value):
            if is_id(part) is None:
                raise Problem(problem, value=part)
        return value

    @field_validator("non_working_days", "working_holidays")
    @classmethod
    def _dates(cls, value: str | None) -> str | None:
        for part in comma_parts(value):
            try:
                date.fromisoformat(part)
            except ValueError:
                raise Problem("not_date", value=part) from None
        return value

    @field_validator("weekend_operating_days")
    @classmethod
    def _weekend_days(cls, value: str | None) -> str | None:
        for part in comma_parts(value):
            if part.lower() not in _WEEKEND:
                raise Problem("not_weekend_day", value=part)
        return value

    @field_validator("shipping_rules", "returns_rules", "extra_rules", mode="before")
    @classmethod
    def _blank_path(cls, value: object) -> object:
        # Set but empty, as a hosting platform's form leaves it: unset. Read as a path, it
        # would be "." (the working folder, loaded as a folder of rules).
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("shipping_rules", "returns_rules")
    @classmethod
    def _shipping_rules(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise Problem("no_file", value=str(value))
        return value

    @field_validator("extra_rules")
    @classmethod
    def _extra_rules(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise Problem("no_folder", value=str(value))
        return value

    @field_validator("digest_channel")
    @classmethod
    def _digest_channel(cls, value: str | None) -> str | None:
        try:
            parse_schedules(value, time(8, 0))
        except ScheduleError as exc:
            if exc.repeated:
                raise Problem("repeated_channel", value=exc.channel) from None
            if exc.channel is not None:  # the same words as ALLOWED_CHANNELS
                raise Problem("not_channel_id", value=exc.channel) from None
            raise Problem("not_digest_entry", value=exc.entry) from None
        return value

    @field_validator("digest_time", "digest_catchup_until")
    @classmethod
    def _digest_time(cls, value: str) -> str:
        match = _HH_MM.fullmatch(value.strip())
        if match is None:
            raise Problem("not_clock_time", value=value)
        return f"{int(match[1]):02d}:{match[2]}"

    @cached_property
    def timezone(self) -> ZoneInfo:
        """The seller's time zone, SELLER_TIMEZONE or else the marketplace's: deadlines and
        "today" are local to it (shipping.md §3)."""
        return ZoneInfo(self.seller_timezone or self.market.time_zone)

    @cached_property
    def market(self) -> Marketplace:
        """The marketplace the seller sells on."""
        found = find_marketplace(self.marketplace)
        assert found is not None  # the validator guarantees it
        return found

    @cached_property
    def channel_allowlist(self) -> frozenset[str]:
        """ALLOWED_CHANNELS as Slack channel ids (empty: every channel)."""
        return _ids(self.allowed_channels)

    @cached_property
    def user_allowlist(self) -> frozenset[str]:
        """ALLOWED_USERS as Slack user ids (empty: everyone in the workspace)."""
        return _ids(self.allowed_users)

    @cached_property
    def sp_api_unset(self) -> tuple[str, ...]:
        """Which of LWA_APP_ID, LWA_CLIENT_SECRET and SP_API_REFRESH_TOKEN are not set."""
        return tuple(name.upper() for name in ("lwa_app_id", "lwa_client_secret",
                                               "sp_api_refresh_token") if not _set(self, name))

    @cached_property
    def sp_api_configured(self) -> bool:
        """Whether LWA_APP_ID, LWA_CLIENT_SECRET and SP_API_REFRESH_TOKEN are all set."""
        return not self.sp_api_unset

    def secret(self, name: str) -> str:
        """A Slack secret that serving needs; its absence is a one-line ConfigError."""
        if not _set(self, name):
            raise ConfigError("setting_missing", setting=name.upper())
        return getattr(self, name).get_secret_value().strip()

    @cached_property
    def days_off(self) -> frozenset[date]:
        """NON_WORKING_DAYS as dates: the seller's own days that are not business days."""
        return _dates_in(self.non_working_days)

    @cached_property
    def holidays_worked(self) -> frozenset[date]:
        """WORKING_HOLIDAYS as dates: listed holidays that are business days for this seller."""
        return _dates_in(self.working_holidays)

    @cached_property
    def operating_weekdays(self) -> frozenset[int]:
        """Monday to Friday, and the weekend days of WEEKEND_OPERATING_DAYS (date.weekday())."""
        return WEEKDAYS | {_WEEKEND[p.lower()] for p in comma_parts(self.weekend_operating_days)}

    @cached_property
    def digest_clock(self) -> time:
        """DIGEST_TIME as a time of day."""
        return time.fromisoformat(self.digest_time)  # HH:MM, as its validator leaves it

    @cached_property
    def catchup_until(self) -> time:
        """DIGEST_CATCHUP_UNTIL as a time of day."""
        return time.fromisoformat(self.digest_catchup_until)

    @cached_property
    def digests(self) -> tuple[DigestSchedule, ...]:
        """DIGEST_CHANNEL's entries: the channels that get a morning digest, and when."""
        return parse_schedules(self.digest_channel, self.digest_clock)


def _set(settings: Settings, name: str) -> bool:
    value = getattr(settings, name)
    return value is not None and bool(value.get_secret_value().strip())


def _ids(value: str | None) -> frozenset[str]:
    return frozenset(comma_parts(value))


def _dates_in(value: str | None) -> frozenset[date]:
    return frozenset(date.fromisoformat(part) for part in comma_parts(value))


def load_settings(**overrides: object) -> Settings:
    """Read the settings; an invalid value raises ConfigError naming the setting."""
    try:
        return Settings(**overrides)
    except UnicodeDecodeError:
        # A .env saved in a Windows code page ("ANSI") with an accent in it.
        raise ConfigError(setting=".env", problem="not_utf8", params={}) from None
    except ValidationError as exc:
        error = exc.errors()[0]
        setting = str(error["loc"][0]).upper() if error["loc"] else "settings"
        raise ConfigError(setting=setting, **problem_of(error)) from None
