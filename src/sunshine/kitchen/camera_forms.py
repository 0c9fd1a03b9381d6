"""Checking a camera's settings as typed (API or portal form): every problem is named at once
with its field (``zones[1].polygon[3]``), and nothing is stored unless all are right.

Addresses: an RTSP camera is ``rtsp://`` or ``rtsps://``, MJPEG and HLS are ``http(s)://``
(HLS ending in ``.m3u8``), each with a host. Credentials never go in the address (they would
be stored and shown in clear): they have their own fields and are encrypted. Local files and
image folders (``file:///...``) are for demonstrations and tests only.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time
from typing import Any
from urllib.parse import urlsplit

from sunshine.config import get_settings
from sunshine.core.errors import FieldProblem
from sunshine.core.i18n import N_, ParamValue
from sunshine.kitchen.enums import LOCAL_KINDS, Area, RuleHours, StreamKind
from sunshine.kitchen.policy import CATALOGUE, OVERRIDE_FIELDS

NAME_LIMIT = 60
URL_LIMIT = 1000
USERNAME_LIMIT = 64
PASSWORD_LIMIT = 128
MAX_WINDOWS = 28
MAX_POLYGONS = 16
MAX_POINTS = 64
ZONE_NAME_LIMIT = 40
FPS_RANGE = (0.5, 10.0)
PERSON_MODEL = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")

SCHEMES: dict[StreamKind, tuple[str, ...]] = {
    StreamKind.RTSP: ("rtsp", "rtsps"),
    StreamKind.HTTP_MJPEG: ("http", "https"),
    StreamKind.HLS: ("http", "https"),
    StreamKind.FILE: ("file",),
    StreamKind.IMAGES: ("file",),
}
EXAMPLES: dict[StreamKind, str] = {
    StreamKind.RTSP: "rtsp://192.168.1.64:554/Streaming/Channels/102",
    StreamKind.HTTP_MJPEG: "http://192.168.1.64/mjpeg",
    StreamKind.HLS: "https://video.example.cn/live/kitchen.m3u8",
    StreamKind.FILE: "file:///srv/demo/kitchen.mp4",
    StreamKind.IMAGES: "file:///srv/demo/frames/",
}


@dataclass(frozen=True)
class CameraForm:
    """A camera's settings as typed. ``username``/``password``: ``None`` keeps the stored
    credentials (a change of other settings), both empty removes them, both given sets them.
    ``analysis_fps`` ``None`` takes the deployment's default."""

    name: str
    area: str
    stream_kind: str
    stream_url: str
    username: str | None = None
    password: str | None = None
    operating_hours: Any = None
    privacy_masks: Any = ()
    zones: Any = ()
    rule_overrides: Any = None
    public: bool = False
    enabled: bool = True
    analysis_fps: float | None = None
    person_model: str = "person"


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str


@dataclass
class CheckedCamera:
    """The settings once checked (``problems`` empty when they may be stored)."""

    problems: list[FieldProblem] = field(default_factory=list)
    name: str = ""
    area: Area | None = None
    stream_kind: StreamKind | None = None
    stream_url: str = ""
    # None: keep what is stored; CLEAR: remove; else the new credentials.
    credentials: Credentials | None = None
    clear_credentials: bool = False
    operating_hours: list[dict[str, Any]] | None = None
    privacy_masks: list[list[list[float]]] = field(default_factory=list)
    zones: list[dict[str, Any]] = field(default_factory=list)
    rule_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    analysis_fps: float = 2.0
    person_model: str = "person"

    def add(self, where: str, message: str, code: str = "invalid", **params: ParamValue) -> None:
        self.problems.append(FieldProblem(where, message, code=code, params=dict(params)))


def check_camera(form: CameraForm) -> CheckedCamera:
    """Every problem of ``form`` (see the module notes), and the values to store."""
    out = CheckedCamera()
    name = (form.name or "").strip()
    if not name:
        out.add("name", N_("Required"), code="required")
    elif len(name) > NAME_LIMIT:
        out.add("name", N_("At most {limit} characters"), code="too_long", limit=NAME_LIMIT)
    out.name = name
    out.area = _choice(out, "area", form.area, Area)
    out.stream_kind = _choice(out, "stream_kind", form.stream_kind, StreamKind)
    if out.stream_kind is not None:
        out.stream_url = _stream_url(out, out.stream_kind, form.stream_url)
    _credentials(out, form.username, form.password)
    out.operating_hours = _hours(out, form.operating_hours)
    out.privacy_masks = [
        polygon
        for n, raw in enumerate(_list(out, "privacy_masks", form.privacy_masks, MAX_POLYGONS))
        if (polygon := _polygon(out, f"privacy_masks[{n}]", raw)) is not None
    ]
    out.zones = _zones(out, form.zones)
    out.rule_overrides = _overrides(out, form.rule_overrides, {z["name"] for z in out.zones})
    out.analysis_fps = _fps(out, form.analysis_fps)
    model = (form.person_model or "").strip()
    if not PERSON_MODEL.match(model):
        out.add(
            "person_model",
            N_("a model name is lower-case letters, digits, '-', '_' or '.'"),
            code="model_name",
        )
    out.person_model = model
    return out


def _choice(out: CheckedCamera, where: str, value: str, enum: Any) -> Any:
    try:
        return enum((value or "").strip())
    except ValueError:
        out.add(
            where,
            N_("'{value}' is not one of {choices}"),
            code="choice",
            value=str(value),
            choices=", ".join(member.value for member in enum),
        )
        return None


def _stream_url(out: CheckedCamera, kind: StreamKind, value: str) -> str:
    text = (value or "").strip()
    example = EXAMPLES[kind]
    if not text:
        out.add("stream_url", N_("Required"), code="required")
        return text
    if len(text) > URL_LIMIT:
        out.add("stream_url", N_("At most {limit} characters"), code="too_long", limit=URL_LIMIT)
        return text
    if "://" not in text or any(c.isspace() or ord(c) < 32 for c in text):
        out.add(
            "stream_url",
            N_("'{value}' is not a URL; give an address such as {example}"),
            code="not_url",
            value=text[:80],
            example=example,
        )
        return text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES[kind]:
        out.add(
            "stream_url",
            N_("a {kind} stream's address starts with {schemes}://, such as {example}"),
            code="scheme",
            kind=kind.value,
            schemes=":// or ".join(SCHEMES[kind]),
            example=example,
        )
        return text
    if parts.username is not None or parts.password is not None:
        out.add(
            "stream_url",
            N_(
                "put the user name and password in their own fields, not in the address "
                "(they are kept encrypted there)"
            ),
            code="credentials_in_url",
        )
        return text
    if kind in LOCAL_KINDS:
        _local_source(out, parts.netloc, parts.path)
        return text
    host = parts.hostname or ""
    if not host:
        out.add(
            "stream_url",
            N_("the address names no camera host, such as {example}"),
            code="host",
            example=example,
        )
        return text
    if not _valid_host(host):
        out.add(
            "stream_url", N_("'{host}' is not a host name or IP address"), code="host", host=host
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        out.add("stream_url", N_("the port must be a number from 1 to 65535"), code="port")
    if kind is StreamKind.HLS and not parts.path.lower().endswith(".m3u8"):
        out.add(
            "stream_url", N_("an HLS address ends in .m3u8 (the playlist)"), code="hls_playlist"
        )
    return text


def _local_source(out: CheckedCamera, netloc: str, path: str) -> None:
    settings = get_settings()
    if not (settings.demo or settings.kitchen_allow_file_sources):
        out.add(
            "stream_kind",
            N_("local files and image folders are only for demonstrations and tests"),
            code="local_source",
        )
        return
    if netloc not in ("", "localhost") or not path.startswith("/"):
        out.add(
            "stream_url",
            N_("a local source is an absolute path, such as file:///srv/demo/kitchen.mp4"),
            code="local_path",
        )


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return len(ascii_host) <= 253 and all(HOST_LABEL.match(label) for label in labels)


def _credentials(out: CheckedCamera, username: str | None, password: str | None) -> None:
    if username is None and password is None:
        return
    user, secret = (username or "").strip(), password or ""
    if not user and not secret:
        out.clear_credentials = True
        return
    if not user:
        out.add("username", N_("Required with a password"), code="required")
    if not secret:
        out.add("password", N_("Required with a user name"), code="required")
    if len(user) > USERNAME_LIMIT:
        out.add("username", N_("At most {limit} characters"), code="too_long", limit=USERNAME_LIMIT)
    if len(secret) > PASSWORD_LIMIT:
        out.add("password", N_("At most {limit} characters"), code="too_long", limit=PASSWORD_LIMIT)
    if any(ord(c) < 32 for c in user + secret):
        out.add("password", N_("control characters are not allowed"), code="control")
    if user and secret:
        out.credentials = Credentials(user, secret)


def _list(out: CheckedCamera, where: str, value: Any, limit: int) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        out.add(where, N_("a list is expected"), code="type")
        return []
    if len(value) > limit:
        out.add(where, N_("at most {limit} entries"), code="too_many", limit=limit)
        return []
    return list(value)


def _hours(out: CheckedCamera, value: Any) -> list[dict[str, Any]] | None:
    """Weekly windows, or ``None`` (always open)."""
    if value is None:
        return None
    windows = []
    for n, raw in enumerate(_list(out, "operating_hours", value, MAX_WINDOWS)):
        where = f"operating_hours[{n}]"
        if not isinstance(raw, Mapping):
            out.add(where, N_("a window is an object with day, start and end"), code="type")
            continue
        day = raw.get("day")
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            out.add(f"{where}.day", N_("a day is 0 (Monday) to 6 (Sunday)"), code="day")
        times = []
        for key in ("start", "end"):
            text = raw.get(key)
            if not isinstance(text, str) or not HHMM.match(text):
                out.add(f"{where}.{key}", N_("a time is HH:MM, 00:00 to 23:59"), code="time")
            else:
                times.append(time.fromisoformat(text))
        if len(times) == 2 and times[0] == times[1]:
            out.add(
                f"{where}.end",
                N_("a window cannot start and end at the same time"),
                code="empty_window",
            )
        windows.append({"day": day, "start": raw.get("start"), "end": raw.get("end")})
    return windows


def _polygon(out: CheckedCamera, where: str, value: Any) -> list[list[float]] | None:
    """A normalised polygon: 3 to 64 points ``[x, y]``, each coordinate within 0..1."""
    if not isinstance(value, list | tuple) or not 3 <= len(value) <= MAX_POINTS:
        out.add(
            where,
            N_("a polygon has {low} to {high} points [x, y]"),
            code="polygon",
            low=3,
            high=MAX_POINTS,
        )
        return None
    points = []
    for n, point in enumerate(value):
        if (
            not isinstance(point, list | tuple)
            or len(point) != 2
            or not all(_number(v) and 0.0 <= float(v) <= 1.0 for v in point)
        ):
            out.add(
                f"{where}[{n}]",
                N_("a point is [x, y] with both within 0 and 1 (fractions of the picture)"),
                code="point",
            )
            return None
        points.append([float(point[0]), float(point[1])])
    if _area(points) <= 1e-6:
        out.add(where, N_("the polygon encloses no area"), code="degenerate")
        return None
    return points


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _area(points: Sequence[Sequence[float]]) -> float:
    total = 0.0
    for i, (x1, y1) in enumerate(points):
        x2, y2 = points[(i + 1) % len(points)]
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def _zones(out: CheckedCamera, value: Any) -> list[dict[str, Any]]:
    zones: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, raw in enumerate(_list(out, "zones", value, MAX_POLYGONS)):
        where = f"zones[{n}]"
        if not isinstance(raw, Mapping):
            out.add(where, N_("a zone is an object with name and polygon"), code="type")
            continue
        name = raw.get("name")
        name = name.strip() if isinstance(name, str) else ""
        if not name or len(name) > ZONE_NAME_LIMIT:
            out.add(
                f"{where}.name",
                N_("a zone needs a name of at most {limit} characters"),
                code="zone_name",
                limit=ZONE_NAME_LIMIT,
            )
            continue
        if name in seen:
            out.add(f"{where}.name", N_("zone {name} is named twice"), code="duplicate", name=name)
            continue
        seen.add(name)
        polygon = _polygon(out, f"{where}.polygon", raw.get("polygon"))
        if polygon is not None:
            zones.append({"name": name, "polygon": polygon})
    return zones


_RANGES: dict[str, tuple[float, float]] = {
    "n": (1, 20),
    "m": (1, 30),
    "min_confidence": (0.05, 1.0),
    "cooldown_s": (0, 86400),
}


def _overrides(out: CheckedCamera, value: Any, zone_names: set[str]) -> dict[str, dict[str, Any]]:
    """Per-class changes to the area's rules (see :func:`sunshine.kitchen.policy.rule_specs`)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        out.add("rule_overrides", N_("rule overrides are an object keyed by alert class"))
        return {}
    known = {c.value: c for c in CATALOGUE}
    result: dict[str, dict[str, Any]] = {}
    for key, raw in value.items():
        where = f"rule_overrides.{key}"
        if key not in known:
            out.add(
                where,
                N_("'{value}' is not an alert class a rule raises ({choices})"),
                code="choice",
                value=str(key),
                choices=", ".join(known),
            )
            continue
        if not isinstance(raw, Mapping):
            out.add(where, N_("an override is an object of rule settings"), code="type")
            continue
        clean: dict[str, Any] = {}
        for name, setting in raw.items():
            spot = f"{where}.{name}"
            if name not in OVERRIDE_FIELDS:
                out.add(
                    spot,
                    N_("'{value}' is not a rule setting ({choices})"),
                    code="choice",
                    value=str(name),
                    choices=", ".join(OVERRIDE_FIELDS),
                )
            elif name == "enabled":
                if not isinstance(setting, bool):
                    out.add(spot, N_("true or false"), code="type")
                clean[name] = setting
            elif name == "when":
                if setting not in {h.value for h in RuleHours}:
                    out.add(spot, N_("one of open, closed, always"), code="choice")
                clean[name] = setting
            elif name == "zone":
                if setting is not None and setting not in zone_names:
                    out.add(
                        spot,
                        N_("this camera has no zone named {name}"),
                        code="zone",
                        name=str(setting),
                    )
                clean[name] = setting
            else:
                low, high = _RANGES[name]
                whole = name in ("n", "m", "cooldown_s")
                if not _number(setting) or (whole and not float(setting).is_integer()):
                    out.add(spot, N_("a number is expected"), code="type")
                elif not low <= float(setting) <= high:
                    out.add(
                        spot,
                        N_("must lie between {low} and {high}"),
                        code="range",
                        low=_shown(low),
                        high=_shown(high),
                    )
                else:
                    clean[name] = int(setting) if whole else float(setting)
        default = CATALOGUE[known[key]]
        n, m = clean.get("n", default.n), clean.get("m", default.m)
        # A larger n alone widens m to match (policy.rule_specs); an explicit m must hold n.
        if "m" in clean and isinstance(n, int) and isinstance(m, int) and n > m:
            out.add(
                f"{where}.m",
                N_("m (frames looked at) cannot be fewer than n (frames needed)"),
                code="n_of_m",
            )
        result[key] = clean
    return result


def _fps(out: CheckedCamera, value: float | None) -> float:
    if value is None:
        return get_settings().kitchen_analysis_fps
    low, high = FPS_RANGE
    if not _number(value) or not low <= float(value) <= high:
        out.add(
            "analysis_fps",
            N_("must lie between {low} and {high}"),
            code="range",
            low=_shown(low),
            high=_shown(high),
        )
        return low
    return float(value)


def _shown(value: float) -> str:
    """A bound as people write it (``0.5``, ``10``)."""
    return f"{value:g}"
