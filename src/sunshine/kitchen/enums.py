"""The vocabularies of Sunshine Kitchen (阳光厨房): kitchen areas, stream kinds, camera states,
alert classes, kinds and statuses, and the actions taken on an alert."""

from __future__ import annotations

from enum import StrEnum


class Area(StrEnum):
    """The kitchen area a camera watches (after the zones of the 2018 规范, §2)."""

    PREP = "prep"  # 粗加工·切配间 (general operating area)
    COOKING = "cooking"  # 烹饪间/区 (semi-clean area)
    COLD_ROOM = "cold_room"  # 专间: 凉菜间, 生食间, 裱花间 (clean area)
    WASHING = "washing"  # 洗消间: tableware washing and disinfection
    STORAGE = "storage"  # 库房
    OTHER = "other"


class StreamKind(StrEnum):
    """How the worker reads a camera."""

    RTSP = "rtsp"  # rtsp:// or rtsps:// (most IP cameras and NVRs)
    HTTP_MJPEG = "http_mjpeg"  # http(s):// multipart JPEG
    HLS = "hls"  # http(s):// .m3u8 playlist
    FILE = "file"  # file:// video looped (demo and tests only)
    IMAGES = "images"  # file:// folder of still images (demo and tests only)


#: Stream kinds that read the server's own disk: only where the settings allow it.
LOCAL_KINDS = frozenset({StreamKind.FILE, StreamKind.IMAGES})


class CameraState(StrEnum):
    """What the worker last said about a camera."""

    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"  # no frame for 20 s
    NO_SOURCE = "no_source"  # a demo camera whose media is absent
    ERROR = "error"  # bad address, refused credentials
    FROZEN = "frozen"  # the picture does not change while time runs
    COVERED = "covered"  # black or uniform picture
    BLURRED = "blurred"  # out of focus or fogged lens


#: States that are a problem for 明厨亮灶: each opens a health alert while it lasts.
UNHEALTHY_STATES = frozenset(
    {
        CameraState.OFFLINE,
        CameraState.NO_SOURCE,
        CameraState.ERROR,
        CameraState.FROZEN,
        CameraState.COVERED,
        CameraState.BLURRED,
    }
)


class AlertClass(StrEnum):
    """What an alert is about: a behaviour or thing seen, or the camera's own health."""

    NO_MASK = "no_mask"  # 未戴口罩 (in 专间)
    PERSON_AFTER_HOURS = "person_after_hours"  # someone in the kitchen while it is closed
    PERSON_IN_COLD_ROOM = "person_in_cold_room"  # anyone in 专间 (专人操作; off by default)
    SMOKING = "smoking"  # 抽烟
    PHONE = "phone"  # 玩手机
    NO_HAT = "no_hat"  # 未戴帽子
    NO_WORK_CLOTHES = "no_work_clothes"  # 未穿工作服
    RODENT = "rodent"  # 老鼠 / 鼠患
    # Camera health (the picture itself): never from the rule engine.
    OFFLINE = "offline"
    FROZEN = "frozen"
    COVERED = "covered"
    BLURRED = "blurred"


#: Alert classes of the camera's health, one per unhealthy state family.
HEALTH_CLASSES = frozenset(
    {AlertClass.OFFLINE, AlertClass.FROZEN, AlertClass.COVERED, AlertClass.BLURRED}
)
#: Alert classes the rule engine raises from detections.
BEHAVIOUR_CLASSES = frozenset(c for c in AlertClass if c not in HEALTH_CLASSES)


class AlertKind(StrEnum):
    """How far an alert can be trusted.

    A class whose detector's measured precision after temporal confirmation is below 90%
    raises *suspected* alerts that a person reviews, never automatic violations.
    """

    VIOLATION = "violation"
    SUSPECTED = "suspected"
    HEALTH = "health"


class AlertStatus(StrEnum):
    """Where an alert stands: open, answered by the business, or decided by the regulator."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"  # the business has seen it
    RECTIFIED = "rectified"  # the business says it put it right (perhaps with photos)
    EXPLAINED = "explained"  # the business explains why it is not a violation
    CONFIRMED = "confirmed"  # the regulator confirms the violation
    FALSE_ALARM = "false_alarm"  # the regulator finds the detector wrong


#: Statuses the regulator's review ends in: nothing changes an alert after them.
DECIDED = frozenset({AlertStatus.CONFIRMED, AlertStatus.FALSE_ALARM})


class AlertAction(StrEnum):
    """What someone did with an alert (kept in ``kitchen_alert_actions``)."""

    ACKNOWLEDGE = "acknowledge"
    RECTIFY = "rectify"
    EXPLAIN = "explain"
    CONFIRM = "confirm"
    FALSE_ALARM = "false_alarm"
    LINK_CASE = "link_case"  # the case engine took the alert into a case


#: The actions of the business and of the regulator, and the status each leads to.
BUSINESS_ACTIONS = {
    AlertAction.ACKNOWLEDGE: AlertStatus.ACKNOWLEDGED,
    AlertAction.RECTIFY: AlertStatus.RECTIFIED,
    AlertAction.EXPLAIN: AlertStatus.EXPLAINED,
}
REGULATOR_ACTIONS = {
    AlertAction.CONFIRM: AlertStatus.CONFIRMED,
    AlertAction.FALSE_ALARM: AlertStatus.FALSE_ALARM,
}


class RuleHours(StrEnum):
    """When a rule applies: while the kitchen is open, while it is closed, or always."""

    OPEN = "open"
    CLOSED = "closed"
    ALWAYS = "always"
