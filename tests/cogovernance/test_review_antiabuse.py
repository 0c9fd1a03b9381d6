"""The anti-abuse rules of reviews on their own: similarity, the verdict, stamps, limits."""

from __future__ import annotations

import time

import pytest

from sunshine.cogovernance.reviews import antiabuse
from sunshine.cogovernance.reviews.antiabuse import Earlier, Signals, Source
from sunshine.core.errors import ThrottledError, ValidationFailed
from sunshine.core.ratelimit import MemoryRateLimiter

# Digests and stamps are keyed with the deployment's secrets.
pytestmark = pytest.mark.usefixtures("settings")

TEMPLATE = "这家店的牛肉面非常好吃，汤头浓郁，服务员很热情，环境干净整洁，下次还会再来！"
REWORDED = "这家店牛肉面非常好吃！汤头浓郁，服务员热情，环境干净整洁，下次还来。"
OTHER = "等了四十分钟才上菜，米饭是凉的，桌子也没擦干净，不会再来了。"


def signals(text: str, **changes: object) -> Signals:
    values: dict[str, object] = {
        "text": text,
        "fill_seconds": 60,
        "same_person": [],
        "same_address": [],
        "same_store": [],
        "store_recent_count": 0,
    }
    values.update(changes)
    return Signals(**values)  # type: ignore[arg-type]


def test_chinese_copies_are_alike_and_different_reviews_are_not() -> None:
    assert antiabuse.normalise("Ｈｅｌｌｏ， 好吃！！") == "hello好吃"
    copy = antiabuse.jaccard(antiabuse.shingles(TEMPLATE), antiabuse.shingles(REWORDED))
    different = antiabuse.jaccard(antiabuse.shingles(TEMPLATE), antiabuse.shingles(OTHER))
    assert copy >= antiabuse.FOLD_RULES.similar > 0.4 > different


def test_an_ordinary_review_is_shown() -> None:
    assert antiabuse.assess(signals(OTHER, same_store=[Earlier(1, TEMPLATE)])).fold is False


def test_the_same_person_repeating_itself_is_folded_whatever_the_length() -> None:
    verdict = antiabuse.assess(signals("好吃不贵", same_person=[Earlier(7, "好吃，不贵！")]))
    assert (verdict.fold, verdict.reason) == (True, "duplicate_text")
    assert verdict.note is not None and "review 7" in verdict.note


def test_short_texts_of_different_diners_are_not_compared() -> None:
    verdict = antiabuse.assess(signals("味道不错，推荐", same_store=[Earlier(3, "味道不错，推荐")]))
    assert verdict.fold is False
    # Two tables on the restaurant's Wi-Fi (one address, two phones) both find it 好吃.
    wifi = antiabuse.assess(signals("好吃，推荐", same_address=[Earlier(4, "好吃！推荐")]))
    assert wifi.fold is False
    pasted = antiabuse.assess(signals(REWORDED, same_address=[Earlier(4, TEMPLATE)]))
    assert pasted.note is not None and "same address" in pasted.note
    long_copy = antiabuse.assess(signals(REWORDED, same_store=[Earlier(3, TEMPLATE)]))
    assert (long_copy.fold, long_copy.reason) == (True, "duplicate_text")


def test_a_burst_on_one_store_and_a_too_fast_form_fold_with_every_signal_noted() -> None:
    rules = antiabuse.FOLD_RULES
    verdict = antiabuse.assess(
        signals(OTHER, store_recent_count=rules.burst_count, fill_seconds=rules.min_fill_s - 1)
    )
    assert (verdict.fold, verdict.reason) == (True, "store_burst")
    assert (
        verdict.note is not None
        and "minutes" in verdict.note
        and "after it was served" in verdict.note
    )
    just_under = antiabuse.assess(signals(OTHER, store_recent_count=rules.burst_count - 1))
    assert just_under.fold is False
    fast = antiabuse.assess(signals(OTHER, fill_seconds=1))
    assert fast.reason == "fast_fill"


def test_a_form_stamp_is_bound_to_its_store_and_its_time() -> None:
    now = time.time()
    stamp = antiabuse.issue_stamp("ABCDEF2345", now=now - 42)
    assert antiabuse.fill_seconds(stamp, "abcdef2345", now=now) == 42
    for bad, code in (
        (stamp, "OTHERSTORE"),  # a form of another store
        (stamp.replace(".", ".0"), "ABCDEF2345"),  # tampered
        ("", "ABCDEF2345"),  # missing
        (antiabuse.issue_stamp("ABCDEF2345", now=now - 2 * 86_400), "ABCDEF2345"),  # stale
    ):
        with pytest.raises(ValidationFailed) as caught:
            antiabuse.fill_seconds(bad, code, now=now)
        assert caught.value.problems[0].field == "form_stamp"


def test_the_honeypot_refuses_a_filled_field() -> None:
    antiabuse.check_honeypot(None)
    antiabuse.check_honeypot("   ")
    with pytest.raises(ValidationFailed) as caught:
        antiabuse.check_honeypot("http://spam.example")
    assert caught.value.problems[0].field == antiabuse.HONEYPOT_FIELD


def test_hard_limits_count_per_address_device_and_account() -> None:
    limiter = MemoryRateLimiter()
    first = Source(ip="10.0.0.1", device=None, account_id=None)
    per_minute = next(r for r in antiabuse.RATE_RULES if r.name == "ip_minute").limit
    for _ in range(per_minute):
        antiabuse.check_rates(limiter, first)
    with pytest.raises(ThrottledError) as caught:
        antiabuse.check_rates(limiter, first)
    assert caught.value.status == 429 and 0 < caught.value.retry_after_s <= 60
    assert "Try again in" in caught.value.text
    antiabuse.check_rates(limiter, Source(ip="10.0.0.2", device=None, account_id=None))

    phone = Source(ip=None, device="device-1", account_id=None)
    per_hour = next(r for r in antiabuse.RATE_RULES if r.name == "device_hour").limit
    for _ in range(per_hour):
        antiabuse.check_rates(limiter, phone)
    with pytest.raises(ThrottledError):
        antiabuse.check_rates(limiter, phone)


def test_sources_are_kept_as_keyed_digests_only() -> None:
    source = Source(ip="203.0.113.9", device="abc", account_id=None)
    assert source.ip_digest and "203.0.113.9" not in source.ip_digest
    assert source.ip_digest != Source(ip="203.0.113.10", device=None, account_id=None).ip_digest
    assert source.device_digest and len(source.device_digest) == 64
