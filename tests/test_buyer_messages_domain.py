"""The 24-hour clock, the reminders and the response-time record (bot/domain/buyer_messages.py),
table by table (issue 20)."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.buyer_messages import Answered, reminder_due, reply_by, response_record

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_the_answer_is_due_24_hours_after_the_message_came_whatever_the_day():
    saturday = datetime(2026, 12, 26, 23, 30, tzinfo=UTC)  # a weekend, and a holiday
    assert reply_by(saturday) == saturday + 24 * H


@pytest.mark.parametrize(("hours_since", "sent", "expected"), [
    (11.99, 0, None),  # too early for the first
    (12, 0, 1),  # the first, to the minute
    (12, 1, None),  # sent already: never twice
    (19, 1, None),
    (20, 1, 2),  # the second
    (21, 0, 2),  # down through the first: only the latest due, not both in a row
    (30, 2, None),  # both sent; none after
])
def test_reminders(hours_since, sent, expected):
    assert reminder_due(T0, T0 + hours_since * H, (12, 20), sent) == expected


def test_no_reminders_set_means_none():
    assert reminder_due(T0, T0 + 30 * H, (), 0) is None


def test_the_record_counts_a_message_once_its_24_hours_are_over_or_it_is_answered():
    now = T0 + 40 * 24 * H
    messages = [
        Answered(now - 2 * 24 * H, now - 2 * 24 * H + 3 * H),  # answered in 3 h
        Answered(now - 3 * 24 * H, now - 3 * 24 * H + 24 * H),  # in exactly 24 h: on time
        Answered(now - 4 * 24 * H, now - 4 * 24 * H + 25 * H),  # late
        Answered(now - 5 * 24 * H, None),  # never: late
        Answered(now - 2 * H, None),  # still inside its 24 hours: not counted yet
        Answered(now - 3 * H, now - H),  # answered inside them: counted, on time
        Answered(now - 20 * 24 * H, now - 20 * 24 * H + H),  # in the 30 days only
        Answered(now - 31 * 24 * H, None),  # outside both
    ]
    week, month = (response_record(messages, now, days) for days in (7, 30))
    assert (week.on_time, week.counted, week.unanswered) == (3, 5, 2)
    assert week.rate == pytest.approx(3 / 5)
    assert (month.on_time, month.counted, month.unanswered) == (4, 6, 2)


def test_no_message_no_rate():
    record = response_record([], T0, 7)
    assert (record.counted, record.rate) == (0, None)
