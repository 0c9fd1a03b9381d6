"""Rules of the business and staff registry (主体库, 人员库). Services never commit.

A sub-package; every name is importable from ``sunshine.registry.service`` as before:

* :mod:`.placement`: where a business lies (region placement, jurisdiction check);
* :mod:`.businesses`: registering, editing, finding and listing businesses, public codes;
* :mod:`.staff`: the staff register, ID numbers, expiring documents;
* :mod:`.enterprise`: the enterprise portal's view (dashboard, outlets, QR code, own edits).
"""

from sunshine.registry.service.businesses import (
    BUSINESS_AUDIT_FIELDS,
    CODE_ALPHABET,
    CODE_LENGTH,
    LIST_COUNT_CAP,
    REGISTRY_VERSION,
    business_view,
    create_business,
    get_business,
    iter_businesses,
    list_businesses,
    new_public_code,
    update_business,
)
from sunshine.registry.service.enterprise import (
    EnterpriseDashboard,
    OutletSummary,
    StoreQr,
    ToDo,
    edit_staff,
    editable_business,
    editable_staff,
    enterprise_business,
    enterprise_dashboard,
    enterprise_staff,
    list_outlets,
    profile_areas,
    store_qr,
    update_own_business,
)
from sunshine.registry.service.placement import RegionPlacement, place, resolve_region
from sunshine.registry.service.staff import (
    STAFF_AUDIT_FIELDS,
    ExpiryOverview,
    add_staff,
    build_staff,
    deactivate_staff,
    expiring_documents,
    list_staff,
    reveal_id_number,
    staff_view,
    update_staff,
)

__all__ = [
    "BUSINESS_AUDIT_FIELDS",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "LIST_COUNT_CAP",
    "REGISTRY_VERSION",
    "STAFF_AUDIT_FIELDS",
    "EnterpriseDashboard",
    "ExpiryOverview",
    "OutletSummary",
    "RegionPlacement",
    "StoreQr",
    "ToDo",
    "add_staff",
    "build_staff",
    "business_view",
    "create_business",
    "deactivate_staff",
    "edit_staff",
    "editable_business",
    "editable_staff",
    "enterprise_business",
    "enterprise_dashboard",
    "enterprise_staff",
    "expiring_documents",
    "get_business",
    "iter_businesses",
    "list_businesses",
    "list_outlets",
    "list_staff",
    "new_public_code",
    "place",
    "profile_areas",
    "resolve_region",
    "reveal_id_number",
    "staff_view",
    "store_qr",
    "update_business",
    "update_own_business",
    "update_staff",
]
