"""How kitchen vocabularies read to people (English msgids; gettext gives the Chinese), and
the behaviours' Chinese names written into data (case files, risk signals)."""

from __future__ import annotations

from sunshine.core.i18n import N_
from sunshine.kitchen.enums import AlertClass, AlertKind, AlertStatus, Area, CameraState

KITCHEN_AREA_LABELS = {
    Area.PREP: N_("Preparation room"),
    Area.COOKING: N_("Cooking room"),
    Area.COLD_ROOM: N_("Special room (cold dishes)"),
    Area.WASHING: N_("Washing and disinfection room"),
    Area.STORAGE: N_("Storeroom"),
    Area.OTHER: N_("Other area"),
}
ALERT_CLASS_LABELS = {
    AlertClass.NO_MASK: N_("No mask"),
    AlertClass.PERSON_AFTER_HOURS: N_("Person after hours"),
    AlertClass.PERSON_IN_COLD_ROOM: N_("Person in the special room"),
    AlertClass.SMOKING: N_("Smoking"),
    AlertClass.PHONE: N_("Using a phone"),
    AlertClass.NO_HAT: N_("No hat"),
    AlertClass.NO_WORK_CLOTHES: N_("No work clothes"),
    AlertClass.RODENT: N_("Rodent"),
    AlertClass.OFFLINE: N_("Camera offline"),
    AlertClass.FROZEN: N_("Picture frozen"),
    AlertClass.COVERED: N_("Camera covered"),
    AlertClass.BLURRED: N_("Picture blurred"),
}
ALERT_KIND_LABELS = {
    AlertKind.VIOLATION: N_("Violation"),
    AlertKind.SUSPECTED: N_("Suspected, to review"),
    AlertKind.HEALTH: N_("Camera health"),
}
ALERT_STATUS_LABELS = {
    AlertStatus.OPEN: N_("Open"),
    AlertStatus.ACKNOWLEDGED: N_("Seen by the business"),
    AlertStatus.RECTIFIED: N_("Rectified"),
    AlertStatus.EXPLAINED: N_("Explained"),
    AlertStatus.CONFIRMED: N_("Confirmed"),
    AlertStatus.FALSE_ALARM: N_("False alarm"),
}
CAMERA_STATE_LABELS = {
    CameraState.CONNECTING: N_("Connecting"),
    CameraState.ONLINE: N_("Online"),
    CameraState.OFFLINE: N_("Offline"),
    CameraState.NO_SOURCE: N_("No source"),
    CameraState.ERROR: N_("Error"),
    CameraState.FROZEN: N_("Frozen"),
    CameraState.COVERED: N_("Covered"),
    CameraState.BLURRED: N_("Blurred"),
}

# What case files and risk signals call each behaviour: data, in Chinese whatever the
# reader's language (not msgids).
ALERT_CLASS_ZH = {
    AlertClass.NO_MASK: "未戴口罩",
    AlertClass.PERSON_AFTER_HOURS: "非营业时间有人",
    AlertClass.PERSON_IN_COLD_ROOM: "专间有人",
    AlertClass.SMOKING: "抽烟",
    AlertClass.PHONE: "玩手机",
    AlertClass.NO_HAT: "未戴帽子",
    AlertClass.NO_WORK_CLOTHES: "未穿工作服",
    AlertClass.RODENT: "鼠患",
}


def zh_class(alert_class: AlertClass) -> str:
    return ALERT_CLASS_ZH.get(alert_class, alert_class.value)
