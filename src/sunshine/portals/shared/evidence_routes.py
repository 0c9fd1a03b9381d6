"""Serving evidence files (photos and videos of reviews, complaints, reports).

``/evidence/{token}`` and ``/evidence/{token}/thumb`` are the copies without metadata,
for whoever the owner's policy lets see them (everyone, for a shown review's photos);
``/evidence/{token}/original`` is the file exactly as received, for case handlers only,
and each fetch is written to the audit trail. Anything not allowed is a 404, so the
existence of a hidden file is not revealed.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from sunshine.core import evidence
from sunshine.core.errors import NotFoundError
from sunshine.core.i18n import N_
from sunshine.portals.shared.deps import CurrentPrincipal, DbSession

router = APIRouter(include_in_schema=False)


def _file(served: evidence.ServedFile, cache: str, disposition: str) -> Response:
    if not served.path.is_file():  # the row outlived its file (a restore without files)
        raise NotFoundError(N_("No such file"))
    return FileResponse(
        served.path,
        media_type=served.media_type,
        headers={
            "Cache-Control": cache,
            "Content-Disposition": f'{disposition}; filename="{served.download_name}"',
        },
    )


# A photo can stop being public (its review folded): browsers keep it five minutes at most,
# and shared caches not at all, since whether it is public depends on the owner's state.
PUBLIC_CACHE = "private, max-age=300"


@router.get("/evidence/{token}")
def public_copy(session: DbSession, principal: CurrentPrincipal, token: str) -> Response:
    served = evidence.open_public(session=session, actor=principal, token=token)
    return _file(served, PUBLIC_CACHE, "inline")


@router.get("/evidence/{token}/thumb")
def public_thumbnail(session: DbSession, principal: CurrentPrincipal, token: str) -> Response:
    served = evidence.open_public(session=session, actor=principal, token=token, thumbnail=True)
    return _file(served, PUBLIC_CACHE, "inline")


@router.get("/evidence/{token}/original")
def original(session: DbSession, principal: CurrentPrincipal, token: str) -> Response:
    """The original as received (GPS and all): handlers only, audited, never cached."""
    served = evidence.open_original(session=session, actor=principal, token=token)
    return _file(served, "private, no-store", "attachment")
