"""Statutory time limits (法定期限) of complaints, reports and cases, kept as data.

Each :class:`LimitRule` says how long a step may take, in which unit, which intervals do not
count (:class:`PauseKind`), where the number comes from (regulation, article, the source read)
and how sure we are of it (:class:`SourceStatus`). Rules are versioned: which one applies
depends on the day the submission, lead or case started (:func:`limit_for`).

Complaints and reports follow 《市场监督管理投诉举报处理暂行办法》 (SAMR Order 20) for
submissions received up to 2026-04-14 and 《市场监督管理投诉举报处理办法》 (SAMR Order 121)
from 2026-04-15. The text of Order 121 was not available: its rules carry Order 20's numbers,
marked ``unverified``, and must be checked against the published text. Leads and cases follow
《市场监督管理行政处罚程序规定》.

A source is a web address or ``owner/repo:path`` for a file in a public repository, written
as ``../shared/regulations/complaints-and-cases.md`` gives it where that file names it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

__all__ = [
    "LIMITS",
    "PERIOD_COUNTING",
    "LegalBasis",
    "LimitLookupError",
    "LimitRule",
    "NoLimitInForce",
    "PauseKind",
    "SourceStatus",
    "Unit",
    "UnknownLimitKey",
    "limit_for",
    "limit_keys",
]


class Unit(StrEnum):
    """How a time limit is counted."""

    WORKING_DAYS = "working_days"  # 工作日
    CALENDAR_DAYS = "calendar_days"  # 日 (自然日)


class SourceStatus(StrEnum):
    """How the number was checked (the legend of the regulations notes)."""

    VERIFIED = "verified"  # the full text was read
    PRESS = "press"  # official news, a press summary or a government flowchart
    UNVERIFIED = "unverified"  # not checked against any text


class PauseKind(StrEnum):
    """An interval that a regulation says is not counted in a time limit (不计入期限)."""

    TESTING = "testing"  # 检定、检验、检测、检疫、鉴定
    RIGHTS_HOLDER_CHECK = "rights_holder_check"  # 权利人辨认或者鉴别
    SUSPENSION = "suspension"  # 中止 (案件调查)
    HEARING = "hearing"  # 听证
    PUBLIC_NOTICE = "public_notice"  # 公告
    REFUND_ORDER = "refund_order"  # 责令退还多收价款


@dataclass(frozen=True)
class LegalBasis:
    """Where a rule comes from: the regulation, its article and the sources read."""

    regulation: str
    article: str | None
    sources: tuple[str, ...]
    status: SourceStatus
    note: str = ""


@dataclass(frozen=True)
class LimitRule:
    """One statutory time limit in force from ``valid_from`` through ``valid_until``.

    The period starts the day after the start day (期间开始之日不计算在内). ``paused_by`` lists
    the intervals that do not count; ``extension_key`` names the rule of an approved extension
    (延长), ``None`` when the regulation allows none.
    """

    key: str
    length: int
    unit: Unit
    basis: LegalBasis
    valid_from: date
    valid_until: date | None = None
    paused_by: frozenset[PauseKind] = frozenset()
    extension_key: str | None = None

    @property
    def status(self) -> SourceStatus:
        """How sure the number is (see :class:`SourceStatus`)."""
        return self.basis.status

    def in_force(self, day: date) -> bool:
        """Whether this version applies to something that started on ``day``."""
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class LimitLookupError(LookupError):
    """No time limit matches the question."""


class UnknownLimitKey(LimitLookupError):
    """The key names no time limit."""

    def __init__(self, key: str) -> None:
        known = ", ".join(sorted(limit_keys()))
        super().__init__(f"unknown time limit {key!r}; known limits: {known}")
        self.key = key


class NoLimitInForce(LimitLookupError):
    """The time limit exists, but no version of it covers the day."""

    def __init__(self, key: str, day: date) -> None:
        windows = "; ".join(_window(rule) for rule in LIMITS if rule.key == key)
        super().__init__(
            f"no version of time limit {key!r} is in force on {day.isoformat()}; "
            f"versions cover: {windows}"
        )
        self.key = key
        self.day = day


def _window(rule: LimitRule) -> str:
    until = rule.valid_until.isoformat() if rule.valid_until else "open"
    return f"{rule.valid_from.isoformat()}..{until}"


# -- sources ---------------------------------------------------------------------------------

_O20_TITLE = "《市场监督管理投诉举报处理暂行办法》(国家市场监督管理总局令第20号, 2022-03-24修改)"
_O20_TEXT = (
    "LawRefBook/Laws:部门规章/市场监督管理总局/市场监督管理投诉举报处理暂行办法(2022-03-24).md"
)
_O20_FROM = date(2020, 1, 1)  # Art. 40
_O20_UNTIL = date(2026, 4, 14)  # repealed when Order 121 took effect

_O121_TITLE = "《市场监督管理投诉举报处理办法》(国家市场监督管理总局令第121号)"
_O121_FROM = date(2026, 4, 15)
_O121_PRESS = "中新网 2026-01-10 (summarised in research/cogovernance.md §0)"
_O121_COPY = "https://www.googgg.com/product/2974.html"
_O121_NOTE = (
    "The text of Order 121 was not found; the O20 value was carried over and must be checked "
    "against Order 121 (article unknown; a third-party copy showed only the title, the dates "
    "and Arts. 1-7)."
)

_PENALTY_TITLE = (
    "《市场监督管理行政处罚程序规定》(国家市场监督管理总局令第2号, "
    "2021年第42号令、2022年第61号令修正)"
)
_PENALTY_TEXT = "supermariao/laws:政策文件/市场监督管理行政处罚程序规定.md"
_PENALTY_FROM = date(2019, 4, 1)  # Art. 87
_PENALTY_NOTE = (
    "Read in the 2022-09-29 text (commit 53d8bba45ac019728360fcb9e7d86654d388973d); "
    "earlier versions and later amendments were not compared."
)

#: How periods are counted (start day excluded; a last day on a holiday moves on).
PERIOD_COUNTING = LegalBasis(
    regulation=_PENALTY_TITLE,
    article="Art. 80, Art. 84",
    sources=(_PENALTY_TEXT,),
    status=SourceStatus.VERIFIED,
    note=(
        "Art. 80: 期间开始的时或者日不计算在内; 期间届满的最后一日为法定节假日的, "
        "以法定节假日后的第一日为期间届满的日期. Art. 84: 内 includes the end day. "
        "Treating an ordinary weekend as a 法定节假日 for this rule, and applying it to "
        "Order 20/121 periods, is our reading (unverified). " + _PENALTY_NOTE
    ),
)

_TESTING = frozenset({PauseKind.TESTING})
_LEAD_PAUSES = frozenset({PauseKind.TESTING, PauseKind.RIGHTS_HOLDER_CHECK})
_CASE_PAUSES = frozenset(PauseKind)  # Art. 64 ¶2 names all of them


def _o20(article: str) -> LegalBasis:
    return LegalBasis(_O20_TITLE, article, (_O20_TEXT,), SourceStatus.VERIFIED)


def _o121(o20_article: str, *, note: str = "") -> LegalBasis:
    text = f"{_O121_NOTE} Carried over from O20 {o20_article}. {note}".strip()
    return LegalBasis(_O121_TITLE, None, (_O121_PRESS, _O121_COPY), SourceStatus.UNVERIFIED, text)


def _penalty(article: str, *sources: str, note: str = "") -> LegalBasis:
    text = f"{note} {_PENALTY_NOTE}".strip()
    return LegalBasis(
        _PENALTY_TITLE, article, (*sources, _PENALTY_TEXT), SourceStatus.VERIFIED, text
    )


@dataclass(frozen=True)
class _ComplaintLimit:
    """A complaint/report limit of Order 20, copied (unverified) into Order 121."""

    key: str
    length: int
    article: str
    paused_by: frozenset[PauseKind] = frozenset()
    extension_key: str | None = None
    o121_note: str = ""


_COMPLAINT_LIMITS = (
    _ComplaintLimit("complaint.accept", 7, "Art. 14"),
    _ComplaintLimit(
        "complaint.mediation",
        45,
        "Art. 21 ¶1 (5); pause: Art. 20 ¶3",
        _TESTING,
        o121_note="The press reports that Order 121 revised the mediation time limit.",
    ),
    _ComplaintLimit("complaint.mediation_end_notice", 7, "Art. 21 ¶2"),
    _ComplaintLimit(
        "complaint.lead_verify", 15, "Art. 23 ¶1", extension_key="complaint.lead_verify_extension"
    ),
    _ComplaintLimit("complaint.lead_verify_extension", 15, "Art. 23 ¶1 (特殊情况下)"),
    _ComplaintLimit("jurisdiction.dispute", 7, "Art. 30"),
    _ComplaintLimit("report.filing_decision_notice", 5, "Art. 31 ¶2 (实名举报)"),
)


def _complaint_rules(limit: _ComplaintLimit) -> tuple[LimitRule, LimitRule]:
    o20 = LimitRule(
        key=limit.key,
        length=limit.length,
        unit=Unit.WORKING_DAYS,
        basis=_o20(limit.article),
        valid_from=_O20_FROM,
        valid_until=_O20_UNTIL,
        paused_by=limit.paused_by,
        extension_key=limit.extension_key,
    )
    o121 = replace(
        o20,
        basis=_o121(limit.article, note=limit.o121_note),
        valid_from=_O121_FROM,
        valid_until=None,
    )
    return o20, o121


_CASE_LIMITS = (
    LimitRule(
        key="lead.verify",
        length=15,
        unit=Unit.WORKING_DAYS,
        basis=_penalty("Art. 18", "www.btdsss.gov.cn/c/2025-05-14/912884.shtml"),
        valid_from=_PENALTY_FROM,
        paused_by=_LEAD_PAUSES,
        extension_key="lead.verify_extension",
    ),
    LimitRule(
        key="lead.verify_extension",
        length=15,
        unit=Unit.WORKING_DAYS,
        basis=_penalty(
            "Art. 18 ¶1",
            "www.btdsss.gov.cn/c/2025-05-14/912884.shtml",
            note="特殊情况下, approved by the bureau's head (负责人).",
        ),
        valid_from=_PENALTY_FROM,
        paused_by=_LEAD_PAUSES,
    ),
    LimitRule(
        key="case.decide",
        length=90,
        unit=Unit.CALENDAR_DAYS,
        basis=_penalty(
            "Art. 64",
            "www.np.gov.cn/cms/html/npszf/2022-11-08/1621293728.html",
            note="The regulations notes had this as press with the article unverified.",
        ),
        valid_from=_PENALTY_FROM,
        paused_by=_CASE_PAUSES,
        extension_key="case.decide_extension",
    ),
    LimitRule(
        key="case.decide_extension",
        length=30,
        unit=Unit.CALENDAR_DAYS,
        basis=_penalty(
            "Art. 64 ¶1",
            "www.np.gov.cn/cms/html/npszf/2022-11-08/1621293728.html",
            note=(
                "Approved by the head (负责人); a further extension of a reasonable length "
                "is decided collectively (集体讨论) and has no fixed length."
            ),
        ),
        valid_from=_PENALTY_FROM,
        paused_by=_CASE_PAUSES,
    ),
    LimitRule(
        key="case.jurisdiction_dispute",
        length=7,
        unit=Unit.WORKING_DAYS,
        basis=_penalty("Art. 13"),
        valid_from=_PENALTY_FROM,
    ),
    LimitRule(
        key="case.review",
        length=10,
        unit=Unit.WORKING_DAYS,
        basis=_penalty(
            "Art. 55",
            "hezeshenlvshi.com/z/30516.html",
            note="May be extended with the head's approval (no fixed length).",
        ),
        valid_from=_PENALTY_FROM,
    ),
)

_LEAD_SOURCE = "www.btdsss.gov.cn/c/2025-05-14/912884.shtml"
_SAMPLING_NOTE = (
    "The regulations notes (../shared/regulations) say nothing about sampling. A failed "
    "supervisory sample is a lead found through supervision (依据监督检查职权…发现的违法行为"
    "线索), so Art. 18's limit is applied to its verification and disposal (核查处置): our "
    "reading, unverified. The limits that 《食品安全抽样检验管理办法》 sets for the disposal "
    "of failed samples were not read and must be checked before relying on this one."
)


def _sampling(article: str, note: str = "") -> LegalBasis:
    text = " ".join(part for part in (_SAMPLING_NOTE, note, _PENALTY_NOTE) if part)
    return LegalBasis(
        _PENALTY_TITLE, article, (_LEAD_SOURCE, _PENALTY_TEXT), SourceStatus.UNVERIFIED, text
    )


# Verification and disposal of a failed sample (抽检不合格核查处置).
_SAMPLING_LIMITS = (
    LimitRule(
        key="sampling.verify",
        length=15,
        unit=Unit.WORKING_DAYS,
        basis=_sampling("Art. 18"),
        valid_from=_PENALTY_FROM,
        paused_by=_LEAD_PAUSES,  # 复检 (a re-test) and appraisal do not count
        extension_key="sampling.verify_extension",
    ),
    LimitRule(
        key="sampling.verify_extension",
        length=15,
        unit=Unit.WORKING_DAYS,
        basis=_sampling("Art. 18 ¶1", "特殊情况下, approved by the bureau's head (负责人)."),
        valid_from=_PENALTY_FROM,
        paused_by=_LEAD_PAUSES,
    ),
)

#: Every version of every time limit.
LIMITS: tuple[LimitRule, ...] = (
    *(rule for limit in _COMPLAINT_LIMITS for rule in _complaint_rules(limit)),
    *_CASE_LIMITS,
    *_SAMPLING_LIMITS,
)


def limit_keys() -> frozenset[str]:
    """The keys of all known time limits."""
    return frozenset(rule.key for rule in LIMITS)


def limit_for(key: str, *, received_on: date) -> LimitRule:
    """The version of time limit ``key`` for something received (or opened) on that day.

    Raises :class:`UnknownLimitKey` for a key that names no limit and :class:`NoLimitInForce`
    when no version covers ``received_on``.
    """
    versions = [rule for rule in LIMITS if rule.key == key]
    if not versions:
        raise UnknownLimitKey(key)
    for rule in versions:
        if rule.in_force(received_on):
            return rule
    raise NoLimitInForce(key, received_on)
