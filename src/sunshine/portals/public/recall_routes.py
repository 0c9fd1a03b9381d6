"""Public portal: the store page's batch-recall mark (批次召回).

The store page's partial ``_store_recalls.html`` reads the open recalls of lots the store
holds through the template global ``store_recalls`` (the section stays in this module's
hands while the page belongs to the registry); opening a recall drops the holders' cached
pages (``traceability.recall``).
"""

from __future__ import annotations

from fastapi import APIRouter

from sunshine.core.db import reading
from sunshine.portals.shared.templating import ENV
from sunshine.traceability import recall
from sunshine.traceability.recall_enums import recall_label

router = APIRouter(include_in_schema=False)


def store_recalls_for_page(code: str) -> list[recall.PublicMark]:
    """Open recalls the store holds (read when the cached page is rendered)."""
    with reading() as session:
        return recall.store_marks(session=session, code=code)


ENV.globals["store_recalls"] = store_recalls_for_page
ENV.globals["recall_label"] = recall_label
