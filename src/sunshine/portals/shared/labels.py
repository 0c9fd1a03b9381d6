"""English display labels (message ids) of enum values; templates translate them."""

from __future__ import annotations

from enum import StrEnum

from sunshine.auth.enums import Role
from sunshine.regions.enums import OrgUnitKind, RegionLevel
from sunshine.registry.enums import (
    BusinessCategory,
    BusinessForm,
    BusinessScale,
    CertificateState,
    LicenceStatus,
    OperatingStatus,
)

LABELS: dict[StrEnum, str] = {
    BusinessForm.RESTAURANT: "Restaurant",
    BusinessForm.FAST_FOOD: "Fast food",
    BusinessForm.DRINKS: "Drinks shop",
    BusinessForm.SCHOOL_CANTEEN: "School canteen",
    BusinessForm.HOSPITAL_CANTEEN: "Hospital canteen",
    BusinessForm.COMPANY_CANTEEN: "Company canteen",
    BusinessForm.CONSTRUCTION_CANTEEN: "Construction-site canteen",
    BusinessForm.CENTRAL_KITCHEN: "Central kitchen",
    BusinessForm.GROUP_MEAL: "Group-meal delivery",
    BusinessForm.CHAIN_OUTLET: "Chain outlet",
    BusinessForm.FOOD_PRODUCER: "Food producer",
    BusinessForm.WHOLESALER: "Wholesaler",
    BusinessForm.MARKET_VENDOR: "Market vendor",
    BusinessCategory.CATERER: "Caterer",
    BusinessCategory.PRODUCER: "Producer",
    BusinessCategory.WHOLESALER: "Wholesaler",
    BusinessCategory.MARKET_VENDOR: "Market vendor",
    BusinessScale.MICRO: "Micro",
    BusinessScale.SMALL: "Small",
    BusinessScale.MEDIUM: "Medium",
    BusinessScale.LARGE: "Large",
    LicenceStatus.VALID: "Valid",
    LicenceStatus.SUSPENDED: "Suspended",
    LicenceStatus.REVOKED: "Revoked",
    LicenceStatus.EXPIRED: "Expired",
    OperatingStatus.OPERATING: "Operating",
    OperatingStatus.SUSPENDED: "Suspended operation",
    OperatingStatus.CLOSED: "Closed",
    CertificateState.VALID: "Valid",
    CertificateState.EXPIRING: "Expiring within 30 days",
    CertificateState.EXPIRED: "Expired",
    CertificateState.MISSING: "No certificate",
    Role.PUBLIC: "Public account",
    Role.ENTERPRISE_OWNER: "Business owner",
    Role.ENTERPRISE_MANAGER: "Business manager",
    Role.ENTERPRISE_STAFF: "Business staff",
    Role.CHAIN_HQ: "Chain headquarters",
    Role.INSPECTOR: "Inspector",
    Role.STATION_CHIEF: "Station chief",
    Role.BUREAU_LEADER: "Bureau leader",
    Role.ADMIN: "System administrator",
    OrgUnitKind.PROVINCIAL_BUREAU: "Provincial bureau",
    OrgUnitKind.CITY_BUREAU: "City bureau",
    OrgUnitKind.COUNTY_BUREAU: "County bureau",
    OrgUnitKind.STATION: "Market supervision station",
    RegionLevel.PROVINCE: "Province",
    RegionLevel.PREFECTURE: "Prefecture",
    RegionLevel.COUNTY: "County",
    RegionLevel.TOWNSHIP: "Township",
}

LICENCE_STATES = {
    "valid": "Valid",
    "expiring": "Expiring within 60 days",
    "expired": "Expired",
    "suspended": "Suspended",
    "revoked": "Revoked",
}


def label(value: object) -> str:
    """The English label of an enum value (a message id), or the value itself."""
    if isinstance(value, StrEnum):
        return LABELS.get(value, value.value)
    return str(value)


#: English labels (message ids) of input fields, for naming the field of a problem in a
#: portal's error list. A key ``"<scope>:<field>"`` wins where a form sets ``field_scope``
#: (a person's ``name`` is a full name, a business's a name); unknown fields show as they are.
FIELD_LABELS = {
    # businesses (主体库)
    "name": "Name",
    "uscc": "Unified social credit code",
    "category": "Category",
    "form": "Business form",
    "scale": "Scale",
    "operating_status": "Operation",
    "licence_number": "Licence number",
    "licence_issue_date": "Licence issue date",
    "licence_expiry_date": "Licence expiry date",
    "licence_status": "Licence status",
    "licence_state": "Licence status",
    "licence_scope": "Licensed scope",
    "region_code": "County or township",
    "region": "Area",
    "address": "Address",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "contact_name": "Contact",
    "contact_phone": "Phone",
    "food_safety_manager": "Food-safety manager",
    "chain_hq_id": "Chain headquarters",
    # staff (人员库)
    "staff:name": "Full name",
    "position": "Position",
    "id_number": "ID number",
    "gender": "Gender",
    "phone": "Phone",
    "direct_contact": "Handles food directly",
    "health_cert_number": "Health certificate number",
    "health_cert_issue_date": "Health certificate issue date",
    "health_cert_expiry_date": "Health certificate expiry date",
    "certificate": "Health certificate",
    # accounts and offices
    "username": "Username",
    "display_name": "Full name",
    "password": "Password",
    "current_password": "Current password",
    "new_password": "New password",
    "role": "Role",
    "org_unit_id": "Office",
    "business_id": "Business",
    "active": "Active",
    "office:name": "Office name",
    "parent_id": "Parent office",
    "province_code": "Province code",
    "sort": "Sort order",
}
