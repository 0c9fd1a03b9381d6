#!/usr/bin/env python3
"""Draw the inspector app's icons (a sun over a check mark) into ``src/sunshine/static/icons``.

Usage (from the repository root): ``python scripts/inspector_icons.py``. The icons are
drawn, not downloaded, so the app ships nothing whose licence needs recording.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parents[1] / "src" / "sunshine" / "static" / "icons"
BROWN = (146, 64, 14)  # the portal's --sun-dark
SUN = (251, 191, 36)
WHITE = (255, 255, 255)
SCALE = 4  # drawn large, then reduced: smooth edges without an anti-aliasing library


def draw(size: int, *, safe_zone: float = 1.0) -> Image.Image:
    """An icon of ``size`` pixels; ``safe_zone`` < 1 keeps the drawing inside the circle a
    maskable icon may be cut to."""
    big = size * SCALE
    image = Image.new("RGB", (big, big), BROWN)
    pen = ImageDraw.Draw(image)
    unit = big * safe_zone / 100
    centre = big / 2
    offset = centre - 50 * unit
    sun_r = 18 * unit
    sun_c = (offset + 50 * unit, offset + 36 * unit)
    pen.ellipse((sun_c[0] - sun_r, sun_c[1] - sun_r, sun_c[0] + sun_r, sun_c[1] + sun_r), fill=SUN)
    check = [
        (offset + 28 * unit, offset + 66 * unit),
        (offset + 44 * unit, offset + 80 * unit),
        (offset + 74 * unit, offset + 52 * unit),
    ]
    pen.line(check, fill=WHITE, width=round(9 * unit), joint="curve")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    for size in (180, 192, 512):
        draw(size).save(ICONS / f"inspector-{size}.png", optimize=True)
    draw(512, safe_zone=0.8).save(ICONS / "inspector-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
