"""Businesses: names, licences, credit codes and licence scopes, and the builder of each."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from datetime import date

from sunshine.core.identifiers import make_jy_licence, make_sc_licence, make_uscc
from sunshine.demo import wordlists as words
from sunshine.demo.fake.model import (
    BUSINESS_SCALES,
    CANTEEN_FORMS,
    LICENCE_WARNING_DAYS,
    LICENCE_YEARS,
    SCALE_WEIGHTS,
    FakeBusiness,
)
from sunshine.demo.fake.people import StaffDraws, surname_of
from sunshine.demo.fake.places import County, PlaceDraws
from sunshine.demo.fake.planning import Slot

_SCALE_CUM = {form: tuple(itertools.accumulate(weights)) for form, weights in SCALE_WEIGHTS.items()}


class Builder(StaffDraws, PlaceDraws):
    """Builds businesses one by one from the plan, sharing one seeded RNG."""

    def licence_dates(self) -> tuple[date, date, str]:
        """Issue date, expiry date and status of a 5-year licence."""
        draw = self.rng.random()
        status = "valid"
        if draw < 0.003:
            status = "revoked"
        elif draw < 0.013:
            status = "suspended"
        if 0.013 <= draw < 0.033:
            expires = self.days_from_today(-400, -1)
        elif 0.033 <= draw < 0.063:
            expires = self.days_from_today(0, LICENCE_WARNING_DAYS)
        else:
            expires = self.days_from_today(LICENCE_WARNING_DAYS + 1, 365 * LICENCE_YEARS)
        issued, expires = self.validity_ending(expires, LICENCE_YEARS)
        return issued, expires, status

    def operating_status(self, licence_status: str, expires: date) -> str:
        draw = self.rng.random()
        if licence_status == "revoked":
            return "closed"
        if licence_status == "suspended":
            return "suspended"
        if expires < self.today:
            return "closed" if draw < 0.5 else "operating"
        return "closed" if draw < 0.01 else "suspended" if draw < 0.02 else "operating"

    def licence_number(self, slot: Slot, sc_category: str | None) -> str:
        state = self.state(slot.county)
        if sc_category is not None:
            return make_sc_licence(
                rng=self.rng,
                category=sc_category,
                county_code=slot.county.code,
                sequence=state.production.next(self.rng),
            )
        return make_jy_licence(
            rng=self.rng,
            form_digit=2 if slot.category == "caterer" else 1,
            county_code=slot.county.code,
            sequence=state.licence.next(self.rng),
        )

    def uscc(self, slot: Slot, scale: str) -> str:
        authority, category = _uscc_kind(self.rng, slot.form, scale, slot.is_hq)
        while True:
            code = make_uscc(
                rng=self.rng, region_code=slot.county.code, category=category, authority=authority
            )
            if code not in self.usccs:
                self.usccs.add(code)
                return code

    def scale(self, slot: Slot) -> str:
        key = "chain_hq" if slot.is_hq else slot.form
        chain_kind = words.CHAIN_BRANDS[slot.chain][1] if slot.chain is not None else None
        if slot.form == "chain_outlet" and chain_kind == "drinks":
            key = "drinks"
        return self.rng.choices(BUSINESS_SCALES, cum_weights=_SCALE_CUM[key])[0]

    def unique_name(
        self, slot: Slot, place: str, surname: str, scale: str, sc: _ScCategory | None
    ) -> str:
        """A business name not yet used in the county; repeats get a numbered variant."""
        names = self.state(slot.county).names
        for _ in range(4):
            candidate = _business_name(self.rng, slot, place, surname, scale, sc)
            if candidate not in names:
                names[candidate] = 1
                return candidate
        base = candidate
        while candidate in names:
            names[base] += 1
            candidate = _name_variant(base, names[base])
        names[candidate] = 1
        return candidate

    def build(self, key: int, slot: Slot, hq_keys: dict[int, int]) -> FakeBusiness:
        rng = self.rng
        county = slot.county
        scale = self.scale(slot)
        staff = self.staff(slot, scale)
        township = self.township(county)
        place = township.short if township and rng.random() < 0.6 else county.short
        sc = rng.choice(words.SC_CATEGORIES) if slot.category == "producer" else None
        name = self.unique_name(slot, place, surname_of(staff[0].name), scale, sc)
        issued, expires, licence_status = self.licence_dates()
        latitude, longitude = self.coordinates(county, township)
        manager = next(
            (s.name for s in staff if s.position == words.POSITION_SAFETY_MANAGER), staff[0].name
        )
        return FakeBusiness(
            key=key,
            name=name,
            uscc=self.uscc(slot, scale),
            category=slot.category,
            form=slot.form,
            scale=scale,
            chain_hq_key=hq_keys[slot.chain] if slot.chain is not None and not slot.is_hq else None,
            is_chain_hq=slot.is_hq,
            licence_number=self.licence_number(slot, sc[0] if sc else None),
            licence_issue_date=issued,
            licence_expiry_date=expires,
            licence_status=licence_status,
            licence_scope=[sc[1]] if sc else _jy_scope(rng, slot),
            address=self.address(county, township),
            county_code=county.code,
            township_code=township.code if township else None,
            latitude=latitude,
            longitude=longitude,
            contact_name=staff[0].name,
            contact_phone=staff[0].phone,
            food_safety_manager=manager,
            operating_status=self.operating_status(licence_status, expires),
            staff=staff,
        )


def _name_variant(base: str, number: int) -> str:
    """The ``number``-th business sharing ``base``: 二店, 第二食堂, 第二分公司, ..."""
    numeral = words.CHINESE_NUMERALS[number - 1] if number <= len(words.CHINESE_NUMERALS) else ""
    numeral = numeral or str(number)
    if base.endswith("店）"):
        return f"{base[:-2]}{numeral}店）"
    if base.endswith("食堂"):
        return f"{base[:-2]}第{numeral}食堂"
    if base.endswith("有限公司"):
        return f"{base}第{numeral}分公司"
    return f"{base}（{numeral}店）"


_SOLE_TRADER_FORMS = frozenset({"restaurant", "fast_food", "drinks", "market_vendor", "wholesaler"})


def _uscc_kind(rng: random.Random, form: str, scale: str, is_hq: bool) -> tuple[str, str]:
    """Registration authority and entity category (positions 1-2) for a business."""
    draw = rng.random()
    if form == "school_canteen":
        return ("5", "2") if draw < 0.3 else ("1", "2")  # private (民办) or public school
    if form == "hospital_canteen":
        return ("9", "1") if draw < 0.2 else ("1", "2")
    sole_trader_share = {"micro": 0.85, "small": 0.5}.get(scale, 0.0)
    if not is_hq and form in _SOLE_TRADER_FORMS and draw < sole_trader_share:
        return "9", "2"
    return "9", "1"


# --------------------------------------------------------------------------------------------
# Names and licence scopes
# --------------------------------------------------------------------------------------------


def _dish_name(rng: random.Random, dishes: Sequence[str], place: str, surname: str) -> str:
    dish = rng.choice(dishes)
    draw = rng.random()
    if draw < 0.2:
        return f"{surname}记{dish}"
    if draw < 0.35:
        return f"老{surname}家{dish}"
    if draw < 0.5:
        return f"{surname}{rng.choice(words.KIN_TERMS)}{dish}"
    if draw < 0.8:
        return f"{rng.choice(words.FANCY_WORDS)}{dish}"
    return f"{place}{dish}"


def _restaurant_name(rng: random.Random, place: str, surname: str, scale: str) -> str:
    if scale in ("medium", "large") and rng.random() < 0.5:
        return f"{rng.choice(words.FANCY_WORDS)}{rng.choice(words.RESTAURANT_WORDS)}"
    return _dish_name(rng, words.RESTAURANT_DISHES, place, surname)


def _numeral(rng: random.Random, top: int = 10) -> str:
    return rng.choice(words.CHINESE_NUMERALS[:top])


def _school_name(rng: random.Random, county: County, place: str) -> str:
    draw = rng.random()
    city = county.city_prefix
    if draw < 0.3:
        return f"{city}{county.name}第{_numeral(rng)}幼儿园食堂"
    if draw < 0.45:
        return f"{county.name}实验小学食堂"
    if draw < 0.6:
        return f"{county.name}{place}小学食堂"
    if draw < 0.8:
        return f"{city}第{_numeral(rng, 20)}中学食堂"
    if draw < 0.9:
        return f"{county.name}{place}中学食堂"
    if draw < 0.95:
        return f"{county.name}职业技术学校食堂"
    subject = rng.choice(("工商", "信息", "艺术", "医学", "师范", "农业", "交通"))
    return f"{county.city_short}{subject}职业学院第{_numeral(rng, 5)}食堂"


def _hospital_name(rng: random.Random, county: County, place: str) -> str:
    draw = rng.random()
    if draw < 0.3:
        return f"{county.name}人民医院职工食堂"
    if draw < 0.45:
        return f"{county.name}中医医院食堂"
    if draw < 0.55:
        return f"{county.name}妇幼保健院食堂"
    if draw < 0.7:
        return f"{county.city_prefix}第{_numeral(rng)}人民医院食堂"
    if draw < 0.85:
        return f"{county.name}{place}卫生院食堂"
    specialty = rng.choice(("骨科", "眼科", "妇产", "口腔", "康复", "中西医结合"))
    return f"{county.city_short}{rng.choice(words.COMPANY_WORDS)}{specialty}医院食堂"


def _company(rng: random.Random, county: County) -> str:
    region = county.province_short if rng.random() < 0.5 else county.city_short
    return f"{region}{rng.choice(words.COMPANY_WORDS)}"


_ScCategory = tuple[str, str, tuple[str, ...], tuple[str, ...]]


def _producer_name(
    rng: random.Random, county: County, sc: _ScCategory, surname: str, scale: str
) -> str:
    if scale in ("micro", "small") and rng.random() < 0.5:
        return f"{county.short}{surname}记{rng.choice(sc[3])}"
    return f"{_company(rng, county)}{rng.choice(sc[2])}有限公司"


def _wholesaler_name(rng: random.Random, county: County, surname: str) -> str:
    kind = rng.choice(words.WHOLESALE_KINDS)
    if kind.endswith("有限公司"):
        return f"{_company(rng, county)}{kind}"
    owner = f"{surname}记" if rng.random() < 0.5 else rng.choice(words.COMPANY_WORDS)
    return f"{county.short}{owner}{kind}"


def _vendor_name(rng: random.Random, place: str, surname: str) -> str:
    market = place if rng.random() < 0.7 else rng.choice(words.VILLAGE_STEMS)
    goods = rng.choice(words.MARKET_GOODS)
    return f"{market}农贸市场{surname}记{goods}{rng.choice(words.MARKET_SUFFIXES)}"


def _chain_name(rng: random.Random, slot: Slot, place: str) -> str:
    brand = words.CHAIN_BRANDS[slot.chain or 0][0]
    if slot.is_hq:
        return f"{slot.county.province_short}{brand}餐饮管理有限公司"
    draw = rng.random()
    if draw < 0.55:
        branch = place
    elif draw < 0.85 and slot.county.urban:  # shopping-mall branches only in urban districts
        branch = f"{slot.county.short}{rng.choice(words.MALL_NAMES)}"
    else:
        branch = rng.choice(words.STREET_STEMS)
    return f"{brand}（{branch}店）"


def _business_name(
    rng: random.Random, slot: Slot, place: str, surname: str, scale: str, sc: _ScCategory | None
) -> str:
    county, form = slot.county, slot.form
    if slot.chain is not None:
        return _chain_name(rng, slot, place)
    if form == "restaurant":
        return _restaurant_name(rng, place, surname, scale)
    if form == "fast_food":
        return _dish_name(rng, words.FAST_FOOD_DISHES, place, surname)
    if form == "drinks":
        return _dish_name(rng, words.DRINK_ITEMS, place, surname)
    if form == "school_canteen":
        return _school_name(rng, county, place)
    if form == "hospital_canteen":
        return _hospital_name(rng, county, place)
    if form == "company_canteen":
        return f"{_company(rng, county)}{rng.choice(words.INDUSTRIES)}有限公司职工食堂"
    if form == "construction_canteen":
        project = rng.choice(words.PROJECT_KINDS)
        return f"{_company(rng, county)}建设工程有限公司{place}{project}项目部食堂"
    if form == "central_kitchen":
        return f"{_company(rng, county)}餐饮管理有限公司中央厨房"
    if form == "group_meal":
        kind = rng.choice(("团餐服务有限公司", "餐饮配送有限公司", "学生营养餐配送中心"))
        return f"{_company(rng, county)}{kind}"
    if sc is not None:
        return _producer_name(rng, county, sc, surname, scale)
    if form == "wholesaler":
        return _wholesaler_name(rng, county, surname)
    return _vendor_name(rng, place, surname)


def _maybe(rng: random.Random, share: float, item: str) -> list[str]:
    return [item] if rng.random() < share else []


def _jy_scope(rng: random.Random, slot: Slot) -> list[str]:
    """Business items (经营项目) on a JY licence."""
    form = slot.form
    if slot.chain is not None:
        form = words.CHAIN_BRANDS[slot.chain][1]
    if form == "drinks":
        return [
            words.SCOPE_DRINKS,
            *_maybe(rng, 0.3, words.SCOPE_COLD),
            *_maybe(rng, 0.3, words.SCOPE_PASTRY),
            *_maybe(rng, 0.6, words.SCOPE_PREPACKED),
        ]
    if form == "wholesaler":
        return [
            words.SCOPE_PREPACKED_COLD,
            *_maybe(rng, 0.6, words.SCOPE_BULK_COLD),
            *_maybe(rng, 0.1, words.SCOPE_HEALTH_FOOD),
        ]
    if form == "market_vendor":
        return [rng.choice((words.SCOPE_BULK, words.SCOPE_BULK_COLD, words.SCOPE_BULK_COOKED))]
    if form == "school_canteen":
        return [words.SCOPE_HOT, *_maybe(rng, 0.2, words.SCOPE_PASTRY)]
    if form in CANTEEN_FORMS:
        return [words.SCOPE_HOT, *_maybe(rng, 0.3, words.SCOPE_COLD)]
    return [
        words.SCOPE_HOT,
        *_maybe(rng, 0.4, words.SCOPE_COLD),
        *_maybe(rng, 0.03, words.SCOPE_RAW),
        *_maybe(rng, 0.5, words.SCOPE_PREPACKED),
        *_maybe(rng, 0.1, words.SCOPE_DRINKS),
    ]
