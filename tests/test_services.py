"""After the ack: work that waits on Amazon or the mail server never holds back other answers."""

import threading
from concurrent.futures import ThreadPoolExecutor

from bot.app import ANSWER_THREADS, OUTSIDE_THREADS
from bot.slack.services import Services


def test_a_long_wait_on_amazon_does_not_hold_back_the_next_answer(settings, seller):
    answers = ThreadPoolExecutor(ANSWER_THREADS)
    outside = ThreadPoolExecutor(OUTSIDE_THREADS)
    services = Services(settings=settings, db=None, seller=seller,  # type: ignore[arg-type]
                        answers=answers, outside=outside)
    amazon_answers, answered = threading.Event(), threading.Event()
    try:
        # "Request all due": minutes at Amazon's pace, here until the test lets it go.
        services.after_ack("request_all_reviews", None, amazon_answers.wait, 30, outside=True)
        services.after_ack("/orders", None, answered.set)
        assert answered.wait(5)
        assert not amazon_answers.is_set()
    finally:
        amazon_answers.set()
        answers.shutdown()
        outside.shutdown()
