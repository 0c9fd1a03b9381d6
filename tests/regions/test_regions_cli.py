"""`sunshine regions load 500000` adds Chongqing and its regulator offices."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sunshine.cli import main
from sunshine.regions.enums import OrgUnitKind, RegionLevel
from sunshine.regions.models import OrgUnit, Region


def test_load_chongqing(session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["regions", "load", "500000"]) == 0
    assert "divisions added" in capsys.readouterr().out
    chongqing = session.get(Region, "500000")
    assert chongqing is not None
    assert chongqing.name == "重庆市"
    yuzhong = session.get(Region, "500103")
    assert yuzhong is not None
    assert yuzhong.name == "渝中区"
    assert yuzhong.level is RegionLevel.COUNTY
    counties = session.execute(
        select(func.count())
        .select_from(Region)
        .where(Region.province_code == "500000", Region.level == RegionLevel.COUNTY)
    ).scalar_one()
    assert counties >= 38
    bureau = session.execute(select(OrgUnit).where(OrgUnit.region_code == "500103")).scalar_one()
    assert bureau.kind is OrgUnitKind.COUNTY_BUREAU
    assert bureau.name == "渝中区市场监督管理局"
    assert main(["regions", "load", "500000"]) == 0
    assert "0 divisions added" in capsys.readouterr().out


def test_unknown_province_is_refused(session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["regions", "load", "990000"]) == 2
    assert "990000" in capsys.readouterr().err


def test_sichuan_is_complete_in_the_demo(session: Session) -> None:
    levels = dict(
        session.execute(
            select(Region.level, func.count())
            .where(Region.province_code == "510000")
            .group_by(Region.level)
        ).all()
    )
    assert levels[RegionLevel.PREFECTURE] == 21
    assert levels[RegionLevel.COUNTY] == 183
    assert levels[RegionLevel.TOWNSHIP] > 3000
    jinjiang = session.get(Region, "510104")
    assert jinjiang is not None
    assert jinjiang.name == "锦江区"
