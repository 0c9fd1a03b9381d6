"""Input and output shapes of the registry (pydantic)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from sunshine.core.errors import TranslatableValueError
from sunshine.core.i18n import N_
from sunshine.core.identifiers import validate_id_number, validate_jy_licence, validate_uscc
from sunshine.registry.enums import (
    BusinessCategory,
    BusinessForm,
    BusinessScale,
    CertificateState,
    LicenceKind,
    LicenceStatus,
    OperatingStatus,
)

_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_SC = re.compile(r"^SC[12]\d{13}$")


def _phone(value: str) -> str:
    value = value.strip().replace(" ", "")
    if not _PHONE.match(value):
        raise TranslatableValueError(
            N_("must be a mainland mobile (11 digits, 1[3-9]…) or a landline number"),
            code="phone.format",
        )
    return value


def _licence(value: str) -> str:
    value = value.strip().upper()
    if value.startswith("SC"):
        if not _SC.match(value):
            raise TranslatableValueError(
                N_("an SC production licence is SC + 14 digits, the first 1 or 2"),
                code="sc.format",
            )
        return value
    return validate_jy_licence(value)


def _name(value: str) -> str:
    value = value.strip()
    if not value:
        raise TranslatableValueError(N_("must not be empty"), code="empty")
    return value


Phone = Annotated[str, AfterValidator(_phone)]
Uscc = Annotated[str, AfterValidator(validate_uscc)]
LicenceNumber = Annotated[str, AfterValidator(_licence)]
IdNumber = Annotated[str, AfterValidator(validate_id_number)]
Name = Annotated[str, Field(min_length=1, max_length=120), AfterValidator(_name)]
PersonName = Annotated[str, Field(min_length=1, max_length=40), AfterValidator(_name)]


class BusinessBase(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: Name
    category: BusinessCategory = BusinessCategory.CATERER
    form: BusinessForm
    scale: BusinessScale = BusinessScale.SMALL
    licence_number: LicenceNumber
    licence_issue_date: date
    licence_expiry_date: date
    licence_status: LicenceStatus = LicenceStatus.VALID
    licence_scope: list[str] = Field(default_factory=list, max_length=20)
    address: Annotated[str, Field(min_length=4, max_length=200)]
    region_code: Annotated[str, Field(pattern=r"^\d{6}(\d{3})?$")]
    latitude: Annotated[float, Field(ge=3.0, le=54.0)] | None = None
    longitude: Annotated[float, Field(ge=73.0, le=136.0)] | None = None
    contact_name: PersonName
    contact_phone: Phone
    food_safety_manager: PersonName
    operating_status: OperatingStatus = OperatingStatus.OPERATING

    @model_validator(mode="after")
    def _dates_in_order(self) -> BusinessBase:
        if self.licence_expiry_date <= self.licence_issue_date:
            raise TranslatableValueError(
                N_("the expiry date must be after the issue date"),
                code="licence.dates",
                field="licence_expiry_date",
            )
        return self


class BusinessCreate(BusinessBase):
    uscc: Uscc
    chain_hq_id: int | None = None
    is_chain_hq: bool = False


class BusinessUpdate(BusinessBase):
    """Editable profile. The credit code is the business's identity and is not editable."""


class BusinessRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    public_code: str
    name: str
    uscc: str
    category: BusinessCategory
    form: BusinessForm
    scale: BusinessScale
    chain_hq_id: int | None
    is_chain_hq: bool
    licence_kind: LicenceKind
    licence_number: str
    licence_issue_date: date
    licence_expiry_date: date
    licence_status: LicenceStatus
    licence_effective_status: LicenceStatus
    licence_scope: list[str]
    address: str
    province_code: str
    prefecture_code: str
    county_code: str
    township_code: str | None
    latitude: float | None
    longitude: float | None
    contact_name: str
    contact_phone: str
    food_safety_manager: str
    operating_status: OperatingStatus
    created_at: datetime
    updated_at: datetime


class BusinessPage(BaseModel):
    items: list[BusinessRead]
    total: int
    page: int
    per_page: int
    pages: int


class StaffCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: PersonName
    position: Annotated[str, Field(min_length=1, max_length=40)]
    id_number: IdNumber
    gender: str | None = Field(default=None, pattern=r"^(male|female)$")
    phone: Phone | None = None
    direct_contact: bool = True
    health_cert_number: Annotated[str, Field(max_length=40)] | None = None
    health_cert_issue_date: date | None = None
    health_cert_expiry_date: date | None = None

    @model_validator(mode="after")
    def _certificate_consistent(self) -> StaffCreate:
        issued, expires = self.health_cert_issue_date, self.health_cert_expiry_date
        if (issued is None) != (expires is None):
            raise TranslatableValueError(
                N_("give both the issue date and the expiry date of the health certificate"),
                code="health_cert.dates",
                field="health_cert_expiry_date" if expires is None else "health_cert_issue_date",
            )
        if issued is not None and expires is not None:
            if expires <= issued:
                raise TranslatableValueError(
                    N_("the expiry date must be after the issue date"),
                    code="health_cert.dates",
                    field="health_cert_expiry_date",
                )
            if (expires - issued).days > 366:
                raise TranslatableValueError(
                    N_(
                        "a health certificate is valid for at most one year "
                        "(食品安全法 Art. 45: annual examination)"
                    ),
                    code="health_cert.too_long",
                    field="health_cert_expiry_date",
                )
            if not self.health_cert_number:
                raise TranslatableValueError(
                    N_("the certificate number is required with certificate dates"),
                    code="health_cert.number",
                    field="health_cert_number",
                )
        return self


class StaffRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    business_id: int
    name: str
    position: str
    gender: str | None
    id_number_masked: str
    direct_contact: bool
    health_cert_number: str | None
    health_cert_issue_date: date | None
    health_cert_expiry_date: date | None
    certificate_state: CertificateState
    active: bool
