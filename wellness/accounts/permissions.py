"""Named permissions over roles. Callers ask these, never compare role strings themselves."""

from __future__ import annotations

from wellness.accounts.roles import Role


def can_manage_accounts(role: Role) -> bool:
    return role is Role.ADMIN


def can_manage_catalog(role: Role) -> bool:
    return role is Role.COORDINATOR


def can_see_library_usage(role: Role) -> bool:
    """The library's usage figures (aggregates, small cells hidden): those who run the library,
    and administrators."""
    return role in {Role.COORDINATOR, Role.ADMIN}


def can_see_caseload(role: Role) -> bool:
    return role is Role.THERAPIST


def can_review_drafts(role: Role) -> bool:
    """Clinical review of the catalog's drafts is for clinicians: therapists, not admins."""
    return role is Role.THERAPIST


def can_read_reviews(role: Role) -> bool:
    """Staff read a session's clinical reviews; patients never see drafts or reviews."""
    return role.is_staff


def is_patient(role: Role) -> bool:
    return role is Role.PATIENT


def home_path(role: Role) -> str:
    return f"/{role.value}"
