"""States and reasons of reviews and their appeals."""

from __future__ import annotations

from enum import StrEnum

from sunshine.core.i18n import N_


class ReviewStatus(StrEnum):
    """Where a review is shown. There is no "deleted": the law forbids deleting genuine
    reviews (《电子商务法》 art. 39), so a suspicious one is folded, with its reason shown."""

    VISIBLE = "visible"  # counted in the scores, on the store page
    FOLDED = "folded"  # kept and public behind "folded reviews", not counted


class FoldReason(StrEnum):
    DUPLICATE_TEXT = "duplicate_text"
    STORE_BURST = "store_burst"
    FAST_FILL = "fast_fill"
    REGULATOR = "regulator"


class AppealStatus(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"  # the review is unfolded
    DISMISSED = "dismissed"  # it stays folded


#: What the public reads next to a folded review (and the author on the receipt page).
FOLD_REASON_LABELS = {
    FoldReason.DUPLICATE_TEXT: N_("Nearly the same text as another recent review"),
    FoldReason.STORE_BURST: N_(
        "Written during an unusual burst of reviews of this store; waiting to be checked"
    ),
    FoldReason.FAST_FILL: N_("The form was filled in faster than a person usually can"),
    FoldReason.REGULATOR: N_("Folded by the market regulator after a check"),
}

STATUS_LABELS = {
    ReviewStatus.VISIBLE: N_("Visible"),
    ReviewStatus.FOLDED: N_("Folded"),
}

APPEAL_LABELS = {
    AppealStatus.PENDING: N_("Appeal pending"),
    AppealStatus.UPHELD: N_("Appeal upheld: the review is shown again"),
    AppealStatus.DISMISSED: N_("Appeal dismissed: the review stays folded"),
}
