"""Signing in, credentials and user administration. Services never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from sunshine.audit import service as audit
from sunshine.auth import access, passwords, principal_cache, tokens
from sunshine.auth import repository as repo
from sunshine.auth.enums import ENTERPRISE_ROLES, REGULATOR_ROLES, Role
from sunshine.auth.models import User
from sunshine.auth.principal import Principal
from sunshine.config import get_settings
from sunshine.core.errors import (
    AuthenticationError,
    FieldProblem,
    NotFoundError,
    ThrottledError,
    ValidationFailed,
)
from sunshine.core.i18n import N_
from sunshine.core.pagination import Page, PageRequest
from sunshine.core.ratelimit import get_rate_limiter
from sunshine.core.time import as_utc, utc_now
from sunshine.regions import directory
from sunshine.regions import repository as regions_repo
from sunshine.regions.enums import RegionLevel
from sunshine.registry import service as registry


def principal_for(
    session: Session, user: User, *, ip: str | None = None, user_agent: str | None = None
) -> Principal:
    """The principal of a user, with the jurisdiction of their org unit."""
    level: RegionLevel | None = None
    code: str | None = None
    if user.org_unit_id is not None:
        unit = regions_repo.get_org_unit(session, user.org_unit_id)
        if unit is not None:
            level, code = unit.region_level, unit.region_code
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        org_unit_id=user.org_unit_id,
        jurisdiction_code=code,
        jurisdiction_level=level,
        business_id=user.business_id,
        ip=ip,
        user_agent=user_agent,
        locale=user.locale,
    )


def _throttle_ip(ip: str | None) -> None:
    settings = get_settings()
    allowed, retry = get_rate_limiter().hit(
        f"login-ip:{ip or 'unknown'}", limit=settings.login_ip_limit_per_minute, window_s=60
    )
    if not allowed:
        raise ThrottledError(
            N_("Too many sign-in attempts from this address; wait a minute."), retry_after_s=retry
        )


def authenticate(
    *,
    session: Session,
    username: str,
    password: str,
    ip: str | None = None,
    user_agent: str | None = None,
) -> User:
    """Check credentials with throttling per address and a temporary lockout per account."""
    _throttle_ip(ip)
    settings = get_settings()
    user = repo.get_user_by_username(session, username.strip())
    now = utc_now()
    if user is not None and user.locked_until_at is not None and as_utc(user.locked_until_at) > now:
        passwords.verify_password(None, password)
        remaining = int((as_utc(user.locked_until_at) - now).total_seconds()) + 1
        raise ThrottledError(
            N_("This account is temporarily locked after repeated failed sign-ins."),
            retry_after_s=remaining,
        )
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        if user is not None:
            _record_failure(
                session,
                user,
                settings.login_max_failures,
                settings.login_lockout_s,
                ip=ip,
                user_agent=user_agent,
            )
        raise AuthenticationError(N_("Wrong username or password."))
    user.failed_logins = 0
    user.locked_until_at = None
    user.last_login_at = now
    session.flush()
    actor = principal_for(session, user, ip=ip, user_agent=user_agent)
    audit.record(
        session=session, actor=actor, action="auth.login", entity_type="user", entity_id=user.id
    )
    return user


def _record_failure(
    session: Session,
    user: User,
    max_failures: int,
    lockout_s: int,
    *,
    ip: str | None,
    user_agent: str | None,
) -> None:
    user.failed_logins += 1
    locked = user.failed_logins >= max_failures
    if locked:
        user.locked_until_at = utc_now() + timedelta(seconds=lockout_s)
        user.failed_logins = 0
    session.flush()
    actor = Principal(
        user_id=None,
        username=user.username,
        display_name=user.username,
        role=None,
        ip=ip,
        user_agent=user_agent,
    )
    audit.record(
        session=session,
        actor=actor,
        action="auth.lockout" if locked else "auth.login_failed",
        entity_type="user",
        entity_id=user.id,
    )


def user_from_token(session: Session, token: str, *, salt: str, max_age_s: int) -> User | None:
    """The active user a session cookie or bearer token names, if still valid."""
    parsed = tokens.read(token, salt=salt, max_age_s=max_age_s)
    if parsed is None:
        return None
    user_id, version, _nonce = parsed
    user = repo.get_user(session, user_id)
    if user is None or not user.is_active or user.auth_version != version:
        return None
    return user


def issue_api_token(user: User) -> str:
    return tokens.issue(user_id=user.id, auth_version=user.auth_version, salt=tokens.TOKEN_SALT)


def issue_session(user: User) -> str:
    return tokens.issue(user_id=user.id, auth_version=user.auth_version, salt=tokens.SESSION_SALT)


def change_password(
    *, session: Session, actor: Principal, current_password: str, new_password: str
) -> User:
    """Change one's own password; every other session and token stops working."""
    access.require_signed_in(actor)
    assert actor.user_id is not None
    user = repo.get_user(session, actor.user_id)
    if user is None:
        raise NotFoundError(N_("No such user"))
    if not passwords.verify_password(user.password_hash, current_password):
        raise ValidationFailed(
            [FieldProblem("current_password", N_("is not your current password"))]
        )
    if current_password == new_password:
        raise ValidationFailed(
            [FieldProblem("new_password", N_("must differ from the current one"))]
        )
    passwords.check_policy(new_password, username=user.username)
    user.password_hash = passwords.hash_password(new_password)
    principal_cache.forget_after_commit(session, user.id, user.auth_version)
    user.auth_version += 1
    user.password_changed_at = utc_now()
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="auth.password_change",
        entity_type="user",
        entity_id=user.id,
    )
    return user


# Administration -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    password: str
    role: Role
    org_unit_id: int | None = None
    business_id: int | None = None
    phone: str | None = None


def _validate_new_user(session: Session, actor: Principal, data: NewUser) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if (
        not data.username
        or len(data.username) > 64
        or not data.username.replace("_", "").replace("-", "").replace(".", "").isalnum()
    ):
        problems.append(FieldProblem("username", N_("use 1–64 letters, digits, '.', '_' or '-'")))
    elif repo.username_taken(session, data.username):
        problems.append(
            FieldProblem(
                "username",
                N_("{username} is already taken"),
                code="duplicate",
                params={"username": data.username},
            )
        )
    if not data.display_name.strip():
        problems.append(FieldProblem("display_name", N_("must not be empty")))
    if data.role in REGULATOR_ROLES:
        unit = regions_repo.get_org_unit(session, data.org_unit_id) if data.org_unit_id else None
        if unit is None:
            problems.append(
                FieldProblem("org_unit_id", N_("a regulator account needs an org unit"))
            )
        elif not _org_unit_in_scope(session, actor, unit.id):
            problems.append(
                FieldProblem("org_unit_id", N_("that office is outside your jurisdiction"))
            )
    if data.role in ENTERPRISE_ROLES:
        if data.business_id is None:
            problems.append(
                FieldProblem("business_id", N_("an enterprise account needs a business"))
            )
        else:
            try:
                registry.get_business(session=session, actor=actor, business_id=data.business_id)
            except NotFoundError:
                problems.append(FieldProblem("business_id", N_("no such business in your scope")))
    try:
        passwords.check_policy(data.password, username=data.username)
    except ValidationFailed as exc:
        problems.extend(
            FieldProblem("password", p.message, code=p.code, params=p.params) for p in exc.problems
        )
    return problems


def _org_unit_in_scope(session: Session, actor: Principal, org_unit_id: int) -> bool:
    if actor.jurisdiction_level is None or actor.jurisdiction_code is None:
        return False
    return org_unit_id in regions_repo.org_unit_ids_within(
        session, level=actor.jurisdiction_level, code=actor.jurisdiction_code
    )


def create_user(*, session: Session, actor: Principal, data: NewUser) -> User:
    """An administrator creates an account inside their jurisdiction."""
    access.require_admin(actor)
    problems = _validate_new_user(session, actor, data)
    if problems:
        raise ValidationFailed(problems)
    user = User(
        username=data.username,
        display_name=data.display_name.strip(),
        password_hash=passwords.hash_password(data.password),
        role=data.role,
        org_unit_id=data.org_unit_id if data.role in REGULATOR_ROLES else None,
        business_id=data.business_id if data.role in ENTERPRISE_ROLES else None,
        phone=data.phone,
    )
    session.add(user)
    session.flush()
    if user.org_unit_id is not None:
        directory.changed_after_commit(session)
    audit.record(
        session=session,
        actor=actor,
        action="user.create",
        entity_type="user",
        entity_id=user.id,
        after={
            "username": user.username,
            "role": user.role.value,
            "org_unit_id": user.org_unit_id,
            "business_id": user.business_id,
        },
    )
    return user


def _managed_user(session: Session, actor: Principal, user_id: int) -> User:
    access.require_admin(actor)
    user = repo.get_user(session, user_id)
    if user is None:
        raise NotFoundError(N_("No such user"))
    in_scope = user.org_unit_id is not None and _org_unit_in_scope(session, actor, user.org_unit_id)
    if not in_scope and user.business_id is not None:
        try:
            registry.get_business(session=session, actor=actor, business_id=user.business_id)
            in_scope = True
        except NotFoundError:
            in_scope = False
    if not in_scope:
        raise NotFoundError(N_("No such user"))
    return user


def set_user_active(*, session: Session, actor: Principal, user_id: int, active: bool) -> User:
    user = _managed_user(session, actor, user_id)
    if user.id == actor.user_id and not active:
        raise ValidationFailed([FieldProblem("active", N_("you cannot deactivate yourself"))])
    if user.is_active != active:
        user.is_active = active
        principal_cache.forget_after_commit(session, user.id, user.auth_version)
        user.auth_version += 1
        session.flush()
        if user.org_unit_id is not None:
            directory.changed_after_commit(session)
        audit.record(
            session=session,
            actor=actor,
            action="user.activate" if active else "user.deactivate",
            entity_type="user",
            entity_id=user.id,
            before={"is_active": not active},
            after={"is_active": active},
        )
    return user


def reset_password(*, session: Session, actor: Principal, user_id: int, new_password: str) -> User:
    user = _managed_user(session, actor, user_id)
    passwords.check_policy(new_password, username=user.username)
    user.password_hash = passwords.hash_password(new_password)
    principal_cache.forget_after_commit(session, user.id, user.auth_version)
    user.auth_version += 1
    user.locked_until_at = None
    user.failed_logins = 0
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="user.reset_password",
        entity_type="user",
        entity_id=user.id,
    )
    return user


def list_users(
    *,
    session: Session,
    actor: Principal,
    search: str | None,
    role: Role | None,
    page: PageRequest,
) -> Page[User]:
    """Accounts of the org units in the administrator's jurisdiction."""
    access.require_admin(actor)
    assert actor.jurisdiction_level is not None and actor.jurisdiction_code is not None
    units = regions_repo.org_unit_ids_within(
        session, level=actor.jurisdiction_level, code=actor.jurisdiction_code
    )
    rows, total = repo.list_users(
        session,
        org_unit_ids=units,
        business_ids=None,
        role=role,
        search=search,
        offset=page.offset,
        limit=page.per_page,
    )
    return Page(items=rows, total=total, request=page)


def principal_for_claims(session: Session, *, user_id: int, auth_version: int) -> Principal | None:
    """The principal a valid token names, if the account is active at that version."""
    user = repo.get_user(session, user_id)
    if user is None or not user.is_active or user.auth_version != auth_version:
        return None
    return principal_for(session, user)
