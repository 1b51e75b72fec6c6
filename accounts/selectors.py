from django.utils.translation import gettext as _

from core.errors import Invalid

from .identity import IdentityError, validate_id_number
from .models import AgentAuthorisation, Enterprise, User


def person_by_id_number(id_number: str) -> User | None:
    """The registered person (a member of the public, never staff) whose ID number a window
    reads from the ID card; None when nobody is registered under it or none was given. Exact
    match through the number's blind index (`core.pii`)."""
    number = (id_number or "").strip().upper()
    if not number:
        return None
    return User.objects.filter(id_number=number, role=User.Role.PUBLIC).first()


def person_at_window(*, real_name: str, id_number: str, field: str, code: str, message: str) -> User:
    """The person a clerk (or an online form) names by name and ID number, both of which must
    match a registered person: a principal or an agent of a 委托代办 record. `Invalid` on
    `field` otherwise, with `code` and `message` (never saying which of the two did not match)."""
    try:
        number = validate_id_number(id_number)
    except IdentityError as exc:
        raise Invalid(str(exc), code="invalid_id_number", fields={field: [str(exc)]}) from None
    person = person_by_id_number(number)
    if person is None or person.real_name != (real_name or "").strip():
        raise Invalid(message, code=code, fields={field: [message]})
    return person


def enterprise_found(credit_code: str) -> Enterprise | None:
    """The enterprise of a (validated) credit code, or None: the walk-in screen's look-up,
    which says "not found" rather than refusing."""
    code = (credit_code or "").strip().upper()
    return Enterprise.objects.filter(credit_code=code).first() if code else None


def authorisations_recorded_by(clerk):
    """The 委托代办 records a clerk registered at her window (her own work: the
    registration page shows the last few)."""
    return (AgentAuthorisation.objects.filter(recorded_by=clerk)
            .select_related("principal", "enterprise", "agent", "recorded_by").prefetch_related("matters"))


def enterprise_by_credit_code(credit_code: str) -> Enterprise | None:
    """The enterprise named by its unified social credit code; None when none was given."""
    if not (credit_code or "").strip():
        return None
    enterprise = enterprise_found(credit_code)
    if enterprise is None:
        raise Invalid(_("未找到该企业。"), code="enterprise_not_found", fields={"enterprise": [_("请核对统一社会信用代码。")]})
    return enterprise


def authorisations_granted(user):
    """The 委托 a person granted, themselves or for an enterprise they may authorise for."""
    from django.db.models import Q

    return (
        AgentAuthorisation.objects.filter(
            Q(principal=user) | Q(enterprise__enterprisemembership__user=user, enterprise__enterprisemembership__may_authorise=True)
        ).distinct().select_related("principal", "enterprise", "agent", "recorded_by").prefetch_related("matters")
    )


def authorisations_received(user):
    return AgentAuthorisation.objects.filter(agent=user).select_related(
        "principal", "enterprise", "recorded_by").prefetch_related("matters")


def authorisations_for(user, *, principal_id_number: str = "", agent_id_number: str = ""):
    """委托代办 records a user may read: a person those granted (themselves, or for an enterprise
    they may authorise for) and those received; a clerk those between the two people at her
    window, named by both ID numbers (none without both); nobody else any."""
    if not getattr(user, "is_authenticated", False):
        return AgentAuthorisation.objects.none()
    if user.is_public:
        ids = set(authorisations_granted(user).values_list("pk", flat=True))
        ids |= set(authorisations_received(user).values_list("pk", flat=True))
        return AgentAuthorisation.objects.filter(pk__in=ids)
    principal, agent = (principal_id_number or "").strip().upper(), (agent_id_number or "").strip().upper()
    if user.is_clerk and principal and agent:
        return AgentAuthorisation.objects.filter(principal__id_number=principal, agent__id_number=agent)
    return AgentAuthorisation.objects.none()


def authorisation_covering(*, agent, principal, enterprise, matter_ids, day) -> AgentAuthorisation | None:
    """The authorisation in force on `day` by which `agent` may act for the principal (a person,
    or an enterprise) on every one of `matter_ids`; None when there is none."""
    matter_ids = set(matter_ids)
    if not matter_ids:
        return None
    candidates = AgentAuthorisation.objects.valid_on(day).filter(agent=agent, principal=principal)
    candidates = candidates.filter(enterprise=enterprise) if enterprise is not None else candidates.filter(enterprise__isnull=True)
    for authorisation in candidates.prefetch_related("matters").order_by("pk"):
        if matter_ids <= {m.pk for m in authorisation.matters.all()}:
            return authorisation
    return None


def principals_for(agent, *, matter_ids, day) -> list[AgentAuthorisation]:
    """The authorisations in force on `day` under which `agent` may apply for all `matter_ids`:
    what the apply form offers under 代为申请 (one per principal and enterprise)."""
    matter_ids = set(matter_ids)
    seen, found = set(), []
    qs = AgentAuthorisation.objects.valid_on(day).filter(agent=agent).select_related("principal", "enterprise")
    for authorisation in qs.prefetch_related("matters").order_by("pk"):
        key = (authorisation.principal_id, authorisation.enterprise_id)
        if key not in seen and matter_ids and matter_ids <= {m.pk for m in authorisation.matters.all()}:
            seen.add(key)
            found.append(authorisation)
    return found
