"""Derived states of licences and health certificates (pure functions)."""

from __future__ import annotations

from datetime import date, timedelta

from sunshine.registry.enums import CertificateState, LicenceStatus

CERT_WARNING_DAYS = 30  # issue 2: certificates expiring within 30 days are flagged
LICENCE_WARNING_DAYS = 60


def effective_licence_status(status: LicenceStatus, expiry: date, today: date) -> LicenceStatus:
    """A licence recorded as valid is expired once its expiry date has passed."""
    if status is LicenceStatus.VALID and expiry < today:
        return LicenceStatus.EXPIRED
    return status


def licence_expiring(status: LicenceStatus, expiry: date, today: date) -> bool:
    return status is LicenceStatus.VALID and today <= expiry <= today + timedelta(
        days=LICENCE_WARNING_DAYS
    )


def certificate_state(expiry: date | None, today: date) -> CertificateState:
    """State of a health certificate (健康证明) on ``today``."""
    if expiry is None:
        return CertificateState.MISSING
    if expiry < today:
        return CertificateState.EXPIRED
    if expiry <= today + timedelta(days=CERT_WARNING_DAYS):
        return CertificateState.EXPIRING
    return CertificateState.VALID


def next_certificate_change(expiry: date | None, today: date) -> date | None:
    """The first day after ``today`` on which ``certificate_state`` gives another answer."""
    if expiry is None or expiry < today:
        return None
    warning_starts = expiry - timedelta(days=CERT_WARNING_DAYS)
    return warning_starts if warning_starts > today else expiry + timedelta(days=1)


def next_licence_change(status: LicenceStatus, expiry: date, today: date) -> date | None:
    """The first day after ``today`` on which ``effective_licence_status`` changes."""
    if status is LicenceStatus.VALID and expiry >= today:
        return expiry + timedelta(days=1)
    return None
