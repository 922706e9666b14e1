"""Settings: defaults, the environment and .env, and one clear line for every bad value."""

import os
from zoneinfo import ZoneInfo

import pytest

from bot.config import load_settings
from bot.errors import ConfigError
from bot.render import message


def test_defaults(settings):
    assert settings.seller_timezone is None
    assert settings.timezone == ZoneInfo("America/Los_Angeles")  # the US marketplace's
    assert settings.market.marketplace_id == "ATVPDKIKX0DER"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.digest_clock.hour == 8
    assert settings.default_handling_days == 2
    # One file in the user data folder (XDG_DATA_HOME; the tests point it at a folder of
    # their own), the same whatever folder a command runs from.
    assert load_settings().database_url.endswith("/sellerbot/sellerbot.db")
    assert load_settings().database_url.startswith(f"sqlite:///{os.environ['XDG_DATA_HOME']}")


def test_environment_and_dotenv(settings, tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("MARKETPLACE=A1F83G8C2ARO7P\nDIGEST_TIME=7:30\n")
    monkeypatch.setenv("SELLER_TIMEZONE", "Europe/London")
    loaded = load_settings()
    assert (loaded.market.code, loaded.digest_time, loaded.seller_timezone) == (
        "UK", "07:30", "Europe/London")


@pytest.mark.parametrize(("marketplace", "zone", "set_to", "used"), [
    ("UK", "Europe/London", None, "Europe/London"),
    ("DE", "Europe/Berlin", "", "Europe/Berlin"),  # set empty in .env: as if unset
    ("JP", "Asia/Tokyo", None, "Asia/Tokyo"),
    ("UK", "Europe/London", "America/New_York", "America/New_York"),  # the setting wins
])
def test_the_time_zone_is_the_marketplaces_unless_set(settings, monkeypatch, marketplace, zone,
                                                     set_to, used):
    # A UK seller's "today" must not end at midnight in Los Angeles (shipping.md §3).
    monkeypatch.setenv("MARKETPLACE", marketplace)
    if set_to is not None:
        monkeypatch.setenv("SELLER_TIMEZONE", set_to)
    loaded = load_settings()
    assert loaded.market.time_zone == zone
    assert loaded.timezone == ZoneInfo(used)


def test_every_marketplace_has_a_real_time_zone():
    from bot.domain.marketplaces import MARKETPLACES

    assert all(ZoneInfo(m.time_zone) for m in MARKETPLACES)


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+psycopg2",
                                    "postgresql+asyncpg", "postgresql+psycopg"])
def test_hosting_platform_postgres_urls_use_psycopg(settings, monkeypatch, scheme):
    # A driver sellerbot does not install stopped every command with a traceback.
    monkeypatch.setenv("DATABASE_URL", f"{scheme}://seller:secret@db.example:5432/shop")
    assert load_settings().database_url == "postgresql+psycopg://seller:secret@db.example:5432/shop"


def test_slack_api_url_gets_its_slash(settings, monkeypatch):
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:8999/api")
    assert load_settings().slack_api_url == "http://127.0.0.1:8999/api/"


@pytest.mark.parametrize(("name", "value", "says"), [
    ("DIGEST_TIME", "8am", "HH:MM"),
    ("DIGEST_TIME", "24:00", "HH:MM"),
    ("DIGEST_CATCHUP_UNTIL", "noon", "HH:MM"),
    ("DIGEST_CHANNEL", "#orders", "'#orders' is not a channel id"),
    ("DIGEST_CHANNEL", "C0123ABCD, C0456EFGH@25:00", "e.g. C0123ABCD or C0123ABCD@07:30@weekdays"),
    ("DIGEST_CHANNEL", "C0123ABCD@weekends", "'C0123ABCD@weekends'"),
    ("RETENTION_DAYS", "0", "greater than or equal to 1"),
    ("SELLER_TIMEZONE", "Pacific/Nowhere", "unknown time zone"),
    ("MARKETPLACE", "XX", "unknown marketplace"),
    ("DEFAULT_HANDLING_DAYS", "two", "whole number"),
    ("DEFAULT_HANDLING_DAYS", "31", "less than or equal to 30"),
    ("DATABASE_URL", "mysql://localhost/shop", "sqlite:/// or postgresql://"),
    ("DATABASE_URL", "not a url", "not a database URL"),
    ("SLACK_API_URL", "slack.com/api", "http"),
    ("ALLOWED_CHANNELS", "#orders", "not a channel id: give the channel's id, not its name"),
    ("ALLOWED_USERS", "pat", "not a member id"),
    ("NON_WORKING_DAYS", "2026-12-24,Christmas", "not a date"),
    ("WORKING_HOLIDAYS", "MLK Day", "not a date"),
    ("WEEKEND_OPERATING_DAYS", "saturday,friday", "'friday' is not saturday or sunday"),
    ("SHIPPING_RULES", "/nowhere/rules.yaml", "no file at /nowhere/rules.yaml"),
    # Only one would be scheduled: the morning digest never went out.
    ("DIGEST_CHANNEL", "C0333QQQQ, C0333QQQQ@13:00", "C0333QQQQ is listed twice"),
])
def test_a_bad_value_names_the_setting(settings, monkeypatch, name, value, says):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    said = message("errors", error.value.code, **error.value.params)
    assert error.value.params["setting"] == name and said.startswith(f"{name}: ")
    assert says in said
    assert "\n" not in said


@pytest.mark.parametrize("name", ["EXTRA_RULES", "SHIPPING_RULES", "RETURNS_RULES"])
def test_a_rules_path_set_empty_is_unset(settings, tmp_path, monkeypatch, name):
    # As a hosting platform's form leaves it; read as a path it was ".", the working folder
    # (with a docker-compose.yaml in it, read as a rule that is no rule).
    (tmp_path / "docker-compose.yaml").write_text("services: {}\n")
    monkeypatch.setenv(name, "")
    assert getattr(load_settings(), name.lower()) is None


def test_a_dotenv_that_is_not_utf8_names_it(settings, tmp_path):
    (tmp_path / ".env").write_bytes(b"IMAP_FOLDER=Bo\xeete de r\xe9ception\n")  # Windows "ANSI"
    with pytest.raises(ConfigError) as error:
        load_settings()
    said = message("errors", error.value.code, **error.value.params)
    assert said == ".env: cannot read it: not UTF-8 text"


def test_secrets_do_not_print(settings, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    loaded = load_settings()
    assert "very-secret" not in repr(loaded)
    assert loaded.slack_bot_token.get_secret_value() == "xoxb-very-secret"
