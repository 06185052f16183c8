"""Who may change what. Everyone reads everything (a startup sales team works in
the open); sellers change their own deals, people and companies; managers and
admins change everything. Services call these, so every front end gets the same rule."""

from django.core.exceptions import PermissionDenied


def can_edit(actor, record) -> bool:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_manager:
        return True
    owner_id = getattr(record, "owner_id", None)
    return owner_id is None or owner_id == actor.pk


def ensure_can_edit(actor, record) -> None:
    if not can_edit(actor, record):
        kind = record._meta.verbose_name
        owner = getattr(record, "owner", None)
        raise PermissionDenied(f"This {kind} belongs to {owner}; only they or a manager can change it.")
