"""What a thread can be about: a registry that the domains owning enrollments, standards, blank-goods
declarations and cases fill with one resolver each.

A resolver turns an identifier into a :class:`RelatedRef` (who may refer to the object, its label and
page) or ``None`` when no such object exists. Messages never imports those domains; they call
``register_related`` at import, e.g. in ``program/enrollment/services.py``::

    from program.messages.related import RelatedRef, register_related

    def _enrollment_ref(related_id: str) -> RelatedRef | None:
        enrollment = row_by_id(Enrollment, related_id)  # core.inputs
        if enrollment is None:
            return None
        return RelatedRef(organization_ids={enrollment.organization_id}, label=f"Enrollment {enrollment.id}",
                          url=url_for("enrollment.show", enrollment_id=enrollment.id))

    register_related("enrollment", _enrollment_ref)

Object pages list the conversations about them with ``threads_for(type, id, viewer)`` (re-exported
here) or, in a template, the include ``program/messages/_related_threads.html``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from core.errors import ValidationFailed
from program.messages.queries import threads_for
from program.messages.states import RELATED_LABELS, RELATED_TYPES

__all__ = ["RelatedRef", "Resolver", "available_types", "check_related", "register_related", "resolve", "threads_for",
           "unregister_related"]


@dataclass(frozen=True)
class RelatedRef:
    """An object a thread may be about, as its domain describes it.

    ``organization_ids``: the party organisations that may refer to it (an enrollment: its importer; a
    case: its importer and the mark owners 19 CFR 133.21 lets see it), or ``None`` when any party may
    (a published standard). ``label`` is shown in lists; ``url`` is the object's page, if it has one.
    """

    organization_ids: Iterable[int] | None
    label: str
    url: str | None = None

    def __post_init__(self) -> None:
        """Accept any iterable of ids (a set, a list) and keep it immutable."""
        if self.organization_ids is not None:
            object.__setattr__(self, "organization_ids", frozenset(int(i) for i in self.organization_ids))

    def concerns(self, organization_id: int) -> bool:
        """Whether the party ``organization_id`` may see (and so talk to CBP about) the object."""
        return self.organization_ids is None or organization_id in self.organization_ids


Resolver = Callable[[str], RelatedRef | None]

_RESOLVERS: dict[str, Resolver] = {}


def register_related(type_name: str, resolver: Resolver) -> None:
    """Plug in the resolver for ``type_name`` (one of ``RELATED_TYPES``); a later call replaces it."""
    if type_name not in RELATED_TYPES:
        raise ValueError(f"unknown related type {type_name!r}; expected one of {', '.join(RELATED_TYPES)}")
    _RESOLVERS[type_name] = resolver


def unregister_related(type_name: str) -> None:
    """Remove the resolver for ``type_name`` (tests register fakes and remove them afterwards)."""
    _RESOLVERS.pop(type_name, None)


def available_types() -> list[str]:
    """The related types that currently have a resolver."""
    return [name for name in RELATED_TYPES if name in _RESOLVERS]


def resolve(type_name: str | None, related_id: str | None) -> RelatedRef | None:
    """The object's reference, or ``None`` when the type has no resolver or the object does not exist."""
    resolver = _RESOLVERS.get(type_name or "")
    if resolver is None or related_id is None:
        return None
    return resolver(str(related_id))


def check_related(type_name: str | None, related_id: str | None, party_organization_id: int | None) -> RelatedRef | None:
    """Validate a thread's optional related object for the party organisation; 422 naming the field.

    Unknown or unsupported type → ``related_type``; an object that does not exist, or that the party
    may not see, → ``related_id`` with the same message (so existence never leaks).
    """
    type_name = (type_name or "").strip() or None
    related_id = (str(related_id).strip() if related_id is not None else "") or None
    if type_name is None and related_id is None:
        return None
    if type_name is None:
        raise ValidationFailed("Say what kind of object the conversation is about.",
                               fields={"related_type": ["Required when related_id is given."]})
    if type_name not in RELATED_TYPES or type_name not in _RESOLVERS:
        offered = ", ".join(available_types()) or "none yet"
        raise ValidationFailed(f"Conversations cannot be about {type_name!r}.",
                               fields={"related_type": [f"Must be one of: {offered}."]})
    if related_id is None:
        raise ValidationFailed("Say which object the conversation is about.",
                               fields={"related_id": ["Required when related_type is given."]})
    if len(related_id) > 64:
        raise ValidationFailed("That identifier is too long.", fields={"related_id": ["At most 64 characters."]})
    ref = resolve(type_name, related_id)
    if ref is None or (party_organization_id is not None and not ref.concerns(party_organization_id)):
        label = RELATED_LABELS[type_name].lower()
        raise ValidationFailed(f"There is no {label} {related_id} this conversation can be about.",
                               fields={"related_id": [f"No such {label} for this organisation."]})
    return ref
