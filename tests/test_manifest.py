"""manifest.yml declares exactly what register() wires, both ways."""

import json

import yaml
from slack_bolt import App

from bot import slack
from bot.slack.services import Services
from bot.wiring import seller_of
from tests.conftest import ROOT

MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())


def registered(settings) -> dict[str, set[str]]:
    """What register() wires, read from Bolt's own listener matchers: kind -> names."""
    app = App(signing_secret="x", token="xoxb-x", token_verification_enabled=False)
    slack.register(app, Services(settings=settings, db=None, seller=seller_of(settings)))  # type: ignore[arg-type]
    found: dict[str, set[str]] = {}
    for listener in app._listeners:
        for matcher in listener.matchers:
            kind = matcher.func.__qualname__.split(".")[0]  # command, message_shortcut, ...
            names = {str(cell.cell_contents) for cell in matcher.func.__closure__ or ()}
            found.setdefault(kind, set()).update(names)
    return found


def test_commands_match():
    declared = {c["command"] for c in MANIFEST["features"]["slash_commands"]}
    assert declared == set(slack.COMMANDS)
    for command in MANIFEST["features"]["slash_commands"]:
        assert command["usage_hint"] and len(command["description"]) <= 100


def test_shortcuts_match():
    shortcuts = MANIFEST["features"]["shortcuts"]
    assert {s["callback_id"] for s in shortcuts if s["type"] == "message"} == set(slack.MESSAGE_SHORTCUTS)
    assert {s["callback_id"] for s in shortcuts if s["type"] == "global"} == set(slack.GLOBAL_SHORTCUTS)
    assert "Check reply" in {s["name"] for s in shortcuts}


def test_events_home_and_scopes():
    assert set(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == set(slack.EVENTS)
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == {
        "commands", "chat:write", "channels:history", "groups:history", "files:write"}
    assert len(MANIFEST["display_information"]["name"]) <= 35
    assert len(MANIFEST["display_information"]["description"]) <= 140


def test_register_wires_exactly_what_the_manifest_declares(settings):
    features = MANIFEST["features"]
    declared = {
        "command": {c["command"] for c in features["slash_commands"]},
        "message_shortcut": {s["callback_id"] for s in features["shortcuts"] if s["type"] == "message"},
        "global_shortcut": {s["callback_id"] for s in features["shortcuts"] if s["type"] == "global"},
        "event": set(MANIFEST["settings"]["event_subscriptions"]["bot_events"]),
        # Buttons need no manifest entry, only interactivity; they are sellerbot's own.
        "action": set(slack.ACTIONS),
        # Modal submissions too: interactivity covers them.
        "view_submission": set(slack.VIEWS),
    }
    assert registered(settings) == declared


def without_urls(manifest: dict) -> dict:
    """A manifest as Socket Mode declares it: no request URLs, socket mode on."""
    stripped = json.loads(json.dumps(manifest))
    for command in stripped["features"]["slash_commands"]:
        command.pop("url", None)
    stripped["settings"]["event_subscriptions"].pop("request_url", None)
    stripped["settings"]["interactivity"].pop("request_url", None)
    stripped["settings"]["socket_mode_enabled"] = True
    return stripped


def test_the_http_manifest_is_the_socket_mode_one_with_urls():
    # Two files, one app: the HTTP variant differs only by its request URLs.
    http = yaml.safe_load((ROOT / "manifest-http.yml").read_text())
    assert MANIFEST["settings"]["socket_mode_enabled"] is True
    assert "url" not in json.dumps(MANIFEST["features"]) and "request_url" not in json.dumps(
        MANIFEST["settings"])
    assert http["settings"]["socket_mode_enabled"] is False
    urls = [c["url"] for c in http["features"]["slash_commands"]] + [
        http["settings"]["event_subscriptions"]["request_url"],
        http["settings"]["interactivity"]["request_url"]]
    assert set(urls) == {"https://HOST/slack/events"}
    assert without_urls(http) == MANIFEST
