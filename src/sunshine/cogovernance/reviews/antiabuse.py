"""Anti-abuse for reviews: hard limits that refuse, soft signals that fold.

Two kinds of measure, because the law forbids deleting genuine reviews (《电子商务法》
art. 39) while a platform must still resist fake ones:

* **Refuse** only what cannot be a review a person meant to leave: more submissions from
  one address, phone or account than a person writes (HTTP 429, with when to try again),
  a filled honeypot field, and a form stamp that is missing, forged or too old (the person
  reloads the form; nothing they wrote is lost, the page shows it again).
* **Fold** what *may* be genuine but looks orchestrated: near-duplicate text, a burst of
  reviews on one store, a form filled in faster than a person can. A folded review is
  kept, public behind "folded reviews" with its reason, not counted in the scores, and
  its author can appeal.

Every threshold is data below, with the reason for its value.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from sunshine.config import get_settings
from sunshine.core.crypto import digest
from sunshine.core.errors import FieldProblem, ThrottledError, ValidationFailed
from sunshine.core.i18n import N_
from sunshine.core.ratelimit import RateLimiter

Scope = Literal["ip", "device", "account"]


@dataclass(frozen=True)
class RateRule:
    """At most ``limit`` review submissions per ``window_s`` seconds per ``scope``."""

    name: str
    scope: Scope
    limit: int
    window_s: int


RATE_RULES: tuple[RateRule, ...] = (
    # A diner writes one review per meal. Five a minute from one address leaves room for a
    # few tables on the restaurant's Wi-Fi writing at the same moment; a script is stopped
    # at its sixth request (a burst of 1,000 in a minute gets 995 answers of 429).
    RateRule("ip_minute", "ip", 5, 60),
    # Canteens, campuses and offices put hundreds of people behind one address: 60 a day
    # is far above what one school canteen's diners write, far below a review farm's output.
    RateRule("ip_day", "ip", 60, 86_400),
    # One phone is one person: three an hour covers lunch, coffee and a snack.
    RateRule("device_hour", "device", 3, 3_600),
    RateRule("device_day", "device", 10, 86_400),
    # A signed-in account: ten stores a day is a busy food blogger, not a normal diner.
    RateRule("account_day", "account", 10, 86_400),
)
# Receipt codes are 60-bit secrets; ten look-ups a minute per address makes guessing one
# hopeless while a person who mistypes theirs can try again at once.
RECEIPT_RULE = RateRule("receipt_minute", "ip", 10, 60)
THROTTLED = N_(
    "Too many reviews have been sent from your network, device or account. "
    "Try again in {minutes} minutes."
)


@dataclass(frozen=True)
class FoldRules:
    """Thresholds of the soft signals (a match folds the review; nothing is refused)."""

    # Rating three things and writing a sentence takes a person well over five seconds;
    # a bot posts the moment it has the form. Folded, not refused: a diner who pastes text
    # prepared in a notes app may be this fast, and folding costs a genuine review only
    # its place in the scores until it is appealed.
    min_fill_s: int = 5
    # Forms older than a day are refused as expired (the stamp protects against replaying
    # one harvested form thousands of times; a day is longer than anyone keeps a form open).
    max_form_age_s: int = 86_400
    # Character n-grams: Chinese has no spaces and most words are two characters, so
    # bigrams play the part that words play in English.
    shingle: int = 2
    # Jaccard similarity of bigram sets from which two texts count as "the same text".
    # Copies of one template with words dropped or punctuation changed score 0.7-1.0;
    # two diners describing the same noodle shop in their own words score 0.1-0.4.
    similar: float = 0.6
    # The same phone or account repeating its own text at any store is a script or a paid
    # campaign: compared over a week, whatever the length.
    source_lookback_s: int = 7 * 86_400
    # Other people's reviews (of the same store, or from the same address: a restaurant's
    # Wi-Fi puts every table behind one address): short texts ("好吃", "不错") are naturally
    # alike, so only texts of at least this many characters are compared with them.
    long_text_chars: int = 20
    store_lookback_s: int = 30 * 86_400
    # At most this many earlier reviews are compared (newest first): enough for any store's
    # month and any one source's week, bounded so a flood cannot make each check slower.
    candidates: int = 200
    # A store normally gets a few reviews a day; this many in this window is a campaign
    # (for or against it). New reviews are then folded until a regulator has looked.
    burst_count: int = 8
    burst_window_s: int = 600


FOLD_RULES = FoldRules()
HONEYPOT_FIELD = "homepage"
HONEYPOT_MESSAGE = N_("Leave this field empty")
STAMP_MESSAGE = N_("The form has expired or was changed; it has been reloaded, send it again")


# Sources and hard limits ----------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where a submission came from, as far as the limits and signals need to know."""

    ip: str | None
    device: str | None  # the device cookie's value
    account_id: int | None

    @property
    def ip_digest(self) -> str | None:
        return digest(f"review-ip:{self.ip}") if self.ip else None

    @property
    def device_digest(self) -> str | None:
        return digest(f"review-device:{self.device}") if self.device else None

    def keys(self) -> dict[Scope, str | None]:
        return {
            "ip": self.ip_digest,
            "device": self.device_digest,
            "account": str(self.account_id) if self.account_id is not None else None,
        }


def check_rates(limiter: RateLimiter, source: Source) -> None:
    """Count one submission against every limit; 429 past any of them.

    Every attempt counts, valid or not, so a script cannot probe the form for free.
    """
    keys = source.keys()
    waits = []
    for rule in RATE_RULES:
        key = keys[rule.scope]
        if key is None:
            continue
        allowed, reset_s = limiter.hit(
            f"review:{rule.name}:{key}", limit=rule.limit, window_s=rule.window_s
        )
        if not allowed:
            waits.append(reset_s)
    if waits:
        wait = max(waits)
        raise ThrottledError(THROTTLED, retry_after_s=wait, minutes=max(1, -(-wait // 60)))


RECEIPT_THROTTLED = N_("Too many receipt codes tried. Try again in {minutes} minutes.")


def check_receipt_rate(limiter: RateLimiter, source: Source) -> None:
    """Count one receipt look-up from this address; 429 past :data:`RECEIPT_RULE`."""
    key = source.ip_digest or "unknown"
    rule = RECEIPT_RULE
    allowed, reset_s = limiter.hit(
        f"review:{rule.name}:{key}", limit=rule.limit, window_s=rule.window_s
    )
    if not allowed:
        raise ThrottledError(RECEIPT_THROTTLED, retry_after_s=reset_s, minutes=1)


# Form stamp and honeypot --------------------------------------------------------------------


def _stamp_mac(code: str, issued: int) -> str:
    key = get_settings().secret_key.encode()
    message = f"review-form:{code.upper()}:{issued}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def issue_stamp(code: str, *, now: float | None = None) -> str:
    """A signed note of when the form for store ``code`` was served."""
    issued = int(time.time() if now is None else now)
    return f"{issued}.{_stamp_mac(code, issued)}"


def fill_seconds(stamp: str | None, code: str, *, now: float | None = None) -> int:
    """Seconds since the form was served; refuses a missing, forged or expired stamp."""
    issued_text, _, mac = (stamp or "").partition(".")
    current = time.time() if now is None else now
    if not issued_text.isdigit() or not hmac.compare_digest(
        mac, _stamp_mac(code, int(issued_text))
    ):
        raise ValidationFailed([FieldProblem("form_stamp", STAMP_MESSAGE, code="stamp")])
    elapsed = int(current) - int(issued_text)
    if elapsed < 0 or elapsed > FOLD_RULES.max_form_age_s:
        raise ValidationFailed([FieldProblem("form_stamp", STAMP_MESSAGE, code="stamp")])
    return elapsed


def check_honeypot(value: str | None) -> None:
    """The hidden field a person never sees: refused when filled (and the page says so,
    in case a browser's autofill or a screen reader filled it for a person)."""
    if value and value.strip():
        raise ValidationFailed([FieldProblem(HONEYPOT_FIELD, HONEYPOT_MESSAGE, code="honeypot")])


# Near-duplicate text ------------------------------------------------------------------------

_KEEP = re.compile(r"[\w]", re.UNICODE)


def normalise(text: str) -> str:
    """Letters and digits only, case- and width-folded (全角 → half-width): punctuation,
    spaces and emoji do not make a copy different."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if _KEEP.match(ch) and ch != "_")


def shingles(text: str, size: int = FOLD_RULES.shingle) -> frozenset[str]:
    """The set of character n-grams of the normalised text (the whole text when shorter)."""
    clean = normalise(text)
    if len(clean) <= size:
        return frozenset({clean}) if clean else frozenset()
    return frozenset(clean[i : i + size] for i in range(len(clean) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class Earlier:
    """An earlier review compared with a new one."""

    review_id: int
    text: str


def most_similar(text: str, earlier: Iterable[Earlier]) -> tuple[float, int | None]:
    """The highest similarity of ``text`` to any earlier review, and which one."""
    mine = shingles(text)
    best, best_id = 0.0, None
    for other in earlier:
        score = jaccard(mine, shingles(other.text))
        if score > best:
            best, best_id = score, other.review_id
    return best, best_id


# The verdict --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signals:
    """What the service found about a new review (from the database and the form)."""

    text: str
    fill_seconds: int
    same_person: Sequence[Earlier]  # same device or account, any store, within the lookback
    same_address: Sequence[Earlier]  # same address (not the same person), any store
    same_store: Sequence[Earlier]  # same store, other sources, within the lookback
    store_recent_count: int  # reviews of the store within the burst window


@dataclass(frozen=True)
class Verdict:
    """Fold or not; ``reason`` is the first signal that matched, ``note`` lists them all."""

    fold: bool
    reason: str | None
    note: str | None


def assess(signals: Signals, rules: FoldRules = FOLD_RULES) -> Verdict:
    """Which soft signals match, most telling first (a copied text says more than speed)."""
    found: list[tuple[str, str]] = []
    score, other = most_similar(signals.text, signals.same_person)
    if score >= rules.similar:
        found.append(
            ("duplicate_text", f"{score:.2f} similar to review {other} (same device or account)")
        )
    elif len(normalise(signals.text)) >= rules.long_text_chars:
        for label, earlier in (
            ("same address", signals.same_address),
            ("same store", signals.same_store),
        ):
            score, other = most_similar(signals.text, earlier)
            if score >= rules.similar:
                found.append(("duplicate_text", f"{score:.2f} similar to review {other} ({label})"))
                break
    if signals.store_recent_count >= rules.burst_count:
        found.append(
            (
                "store_burst",
                f"{signals.store_recent_count} reviews of this store in "
                f"{rules.burst_window_s // 60} minutes",
            )
        )
    if signals.fill_seconds < rules.min_fill_s:
        found.append(("fast_fill", f"form sent {signals.fill_seconds} s after it was served"))
    if not found:
        return Verdict(fold=False, reason=None, note=None)
    return Verdict(fold=True, reason=found[0][0], note="; ".join(note for _, note in found))
