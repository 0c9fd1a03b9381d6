"""Which alerts apply in which kitchen area, as data with their sources, and the rule set a
camera's worker runs (area defaults, then the camera's own overrides).

Sources are those of ``../shared/regulations/kitchen-and-ingredients.md`` (§1 areas, §3 专间,
§4 staff hygiene, §6 behaviours regulators' systems recognise) and
``catering-inspection-checklist.md`` §4 (the 2016 要点表, item 4.4, **verified**). The full
text of the 2018 《餐饮服务食品安全操作规范》 was not available: what rests on it is marked
*secondary* (quoted on a public page) or *unverified* (a vendor's list), as that file marks it.
No national list of AI-recognised behaviours exists there, so the catalogue below is ours.

``detect_cls`` names the detector class a rule watches, as the vision detectors report it
(``person`` and ``cell_phone`` from the COCO person/object model, ``no_mask`` from the face
mask model, ``cigarette`` from the smoking model). Classes with no installed model
(``no_hat``, ``no_work_clothes``, ``rodent``) stay in the rule set: the worker simply has no
detector that reports them until a bureau installs one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from typing import Any

from sunshine.core.i18n import N_
from sunshine.kitchen.enums import AlertClass, AlertKind, Area, RuleHours
from sunshine.kitchen.rules import CameraRuleSet, Polygon, RuleSpec, Window


class SourceStatus:
    """How sure the source of a rule is (the legend of the regulations file)."""

    VERIFIED = "verified"  # law or official text read in full
    SECONDARY = "secondary"  # quoted or paraphrased on a public page
    UNVERIFIED = "unverified"  # a vendor's list or a single scrambled source


@dataclass(frozen=True)
class RuleDefault:
    """The default rule of one alert class and the source that asks for it."""

    alert_class: AlertClass
    detect_cls: str
    n: int
    m: int
    min_confidence: float
    cooldown_s: int
    when: RuleHours
    citation: str
    source_status: str
    rule_summary: str  # English msgid: what the rule asks of the kitchen


_SPEC_2018 = "《餐饮服务食品安全操作规范》(2018)"
_REG_FILE = "../shared/regulations/kitchen-and-ingredients.md"

CATALOGUE: dict[AlertClass, RuleDefault] = {
    AlertClass.NO_MASK: RuleDefault(
        AlertClass.NO_MASK,
        "no_mask",
        n=3,
        m=4,
        min_confidence=0.6,
        cooldown_s=300,
        when=RuleHours.OPEN,
        citation=f"{_SPEC_2018}, 专间 second change and 口罩 (2011 规范 Art. 13; "
        f"{_REG_FILE} §3, §4)",
        source_status=SourceStatus.SECONDARY,
        rule_summary=N_("Staff in special rooms (专间) wear masks covering mouth and nose."),
    ),
    AlertClass.PERSON_AFTER_HOURS: RuleDefault(
        AlertClass.PERSON_AFTER_HOURS,
        "person",
        n=3,
        m=4,
        min_confidence=0.6,
        cooldown_s=900,
        when=RuleHours.CLOSED,
        citation=f"vendor systems' 陌生人闯入 (stranger entry) ({_REG_FILE} §6)",
        source_status=SourceStatus.UNVERIFIED,
        rule_summary=N_("Nobody is in the kitchen outside its operating hours."),
    ),
    AlertClass.PERSON_IN_COLD_ROOM: RuleDefault(
        AlertClass.PERSON_IN_COLD_ROOM,
        "person",
        n=3,
        m=4,
        min_confidence=0.6,
        cooldown_s=900,
        when=RuleHours.ALWAYS,
        citation=f"专人操作: designated staff only (2016 item 7.3; {_REG_FILE} §3)",
        source_status=SourceStatus.SECONDARY,
        rule_summary=N_(
            "Only designated staff enter the special room; a camera cannot tell who, so "
            "this rule is off unless a camera turns it on."
        ),
    ),
    AlertClass.SMOKING: RuleDefault(
        AlertClass.SMOKING,
        "cigarette",
        n=3,
        m=4,
        min_confidence=0.5,
        cooldown_s=300,
        when=RuleHours.ALWAYS,
        citation=f"{_SPEC_2018}: no smoking, eating or spitting in food areas ({_REG_FILE} §4); "
        "named by 杭州萧山 智能阳光厨房 (§6)",
        source_status=SourceStatus.SECONDARY,
        rule_summary=N_("Nobody smokes in food handling areas."),
    ),
    AlertClass.PHONE: RuleDefault(
        AlertClass.PHONE,
        "cell_phone",
        n=4,
        m=5,
        min_confidence=0.5,
        cooldown_s=600,
        when=RuleHours.OPEN,
        citation=f"named by 杭州萧山 智能阳光厨房 (玩手机) ({_REG_FILE} §6); no legal text found",
        source_status=SourceStatus.SECONDARY,
        rule_summary=N_("Staff do not use phones while handling food."),
    ),
    AlertClass.NO_HAT: RuleDefault(
        AlertClass.NO_HAT,
        "no_hat",
        n=3,
        m=4,
        min_confidence=0.6,
        cooldown_s=600,
        when=RuleHours.OPEN,
        citation="2016 《餐饮服务日常监督检查要点表》 item 4.4: 从业人员穿戴清洁的工作衣帽 "
        "(../shared/regulations/catering-inspection-checklist.md §4)",
        source_status=SourceStatus.VERIFIED,
        rule_summary=N_("Staff wear hats covering all hair."),
    ),
    AlertClass.NO_WORK_CLOTHES: RuleDefault(
        AlertClass.NO_WORK_CLOTHES,
        "no_work_clothes",
        n=3,
        m=4,
        min_confidence=0.6,
        cooldown_s=600,
        when=RuleHours.OPEN,
        citation="2016 《餐饮服务日常监督检查要点表》 item 4.4: 从业人员穿戴清洁的工作衣帽 "
        "(../shared/regulations/catering-inspection-checklist.md §4)",
        source_status=SourceStatus.VERIFIED,
        rule_summary=N_("Staff wear clean work clothes."),
    ),
    AlertClass.RODENT: RuleDefault(
        AlertClass.RODENT,
        "rodent",
        n=2,
        m=4,
        min_confidence=0.5,
        cooldown_s=1800,
        when=RuleHours.ALWAYS,
        citation=f"pest control, 挡鼠板 (食品安全法 Art. 126 ¶1(13) as applied in 漯河郾城; "
        f"{_REG_FILE} §6); a person must confirm (the Luohe 'rat' was a cat)",
        source_status=SourceStatus.SECONDARY,
        rule_summary=N_("No rodents in food areas."),
    ),
}

_FOOD_AREA_RULES = (
    AlertClass.SMOKING,
    AlertClass.PHONE,
    AlertClass.NO_HAT,
    AlertClass.NO_WORK_CLOTHES,
    AlertClass.PERSON_AFTER_HOURS,
    AlertClass.RODENT,
)

#: The rules on by default in each area. 专间 adds masks (stricter than elsewhere, §3);
#: storage and other rooms keep the rules that do not concern food handling.
AREA_RULES: dict[Area, tuple[AlertClass, ...]] = {
    Area.PREP: _FOOD_AREA_RULES,
    Area.COOKING: _FOOD_AREA_RULES,
    Area.COLD_ROOM: (AlertClass.NO_MASK, *_FOOD_AREA_RULES),
    Area.WASHING: _FOOD_AREA_RULES,
    Area.STORAGE: (AlertClass.SMOKING, AlertClass.PERSON_AFTER_HOURS, AlertClass.RODENT),
    Area.OTHER: (AlertClass.SMOKING, AlertClass.PERSON_AFTER_HOURS),
}

#: The fields of a rule a camera may override (see :func:`rule_specs`).
OVERRIDE_FIELDS = ("enabled", "n", "m", "min_confidence", "cooldown_s", "when", "zone")


def rule_specs(
    *,
    area: Area,
    overrides: Mapping[str, Mapping[str, Any]] | None,
    kinds: Mapping[str, AlertKind] | None = None,
) -> tuple[RuleSpec, ...]:
    """The rules a camera in ``area`` runs: the area's defaults, then the camera's
    ``overrides`` by alert class (``{"enabled": false}`` turns one off, any class of the
    catalogue may be turned on). ``kinds`` gives each alert class's kind from the model
    manifest's measured precision; a class it does not name raises suspected alerts."""
    overrides = overrides or {}
    kinds = kinds or {}
    specs = []
    for alert_class, default in CATALOGUE.items():
        own = overrides.get(alert_class.value, {})
        enabled = own.get("enabled", alert_class in AREA_RULES[area])
        if not enabled:
            continue
        kind = kinds.get(alert_class.value, AlertKind.SUSPECTED)
        if kind is AlertKind.HEALTH:
            kind = AlertKind.SUSPECTED
        specs.append(
            RuleSpec(
                alert_class=alert_class,
                detect_cls=default.detect_cls,
                n=int(own.get("n", default.n)),
                m=int(own.get("m", max(default.m, int(own.get("n", default.n))))),
                min_confidence=float(own.get("min_confidence", default.min_confidence)),
                cooldown_s=float(own.get("cooldown_s", default.cooldown_s)),
                when=RuleHours(own.get("when", default.when)),
                zone=own.get("zone"),
                kind=AlertKind(kind),
            )
        )
    return tuple(specs)


def windows(hours: Sequence[Mapping[str, Any]] | None) -> tuple[Window, ...] | None:
    """Stored operating hours (``[{"day": 0, "start": "08:00", "end": "22:00"}]``) as windows."""
    if hours is None:
        return None
    return tuple(
        Window(int(w["day"]), time.fromisoformat(w["start"]), time.fromisoformat(w["end"]))
        for w in hours
    )


def polygons(zones: Sequence[Mapping[str, Any]] | None) -> dict[str, Polygon]:
    """Stored zones (``[{"name": ..., "polygon": [[x, y], ...]}]``) by name."""
    return {
        str(z["name"]): tuple((float(p[0]), float(p[1])) for p in z["polygon"]) for z in zones or []
    }


def build_rule_set(
    *,
    area: Area,
    overrides: Mapping[str, Mapping[str, Any]] | None,
    zones: Sequence[Mapping[str, Any]] | None,
    hours: Sequence[Mapping[str, Any]] | None,
    kinds: Mapping[str, AlertKind] | None = None,
    tz: str = "Asia/Shanghai",
) -> CameraRuleSet:
    """A camera's :class:`CameraRuleSet` from what is stored on it (see :func:`rule_specs`)."""
    return CameraRuleSet(
        rules=rule_specs(area=area, overrides=overrides, kinds=kinds),
        zones=polygons(zones),
        hours=windows(hours),
        tz=tz,
    )
