"""Rendering: Jinja2 templates in templates/ own every word a user reads."""

from bot.render.environment import message, text

__all__ = ["message", "text"]
