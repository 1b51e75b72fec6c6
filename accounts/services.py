import datetime as dt
import logging

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Conflict, Forbidden, Invalid, NotFound

from . import hooks
from .identity import IdentityError, validate_credit_code, validate_id_number, validate_phone
from .models import AgentAuthorisation, Enterprise, EnterpriseMembership, MembershipRequest, User
from .selectors import person_at_window

logger = logging.getLogger(__name__)
MAX_AGENCY_DAYS = 366 * 3  # a 委托书 for at most three years; a longer one is written again


def _clean_identity(*, real_name, id_number, phone):
    errors = {}
    real_name = (real_name or "").strip()
    if not (2 <= len(real_name) <= 30):
        errors["real_name"] = [_("请填写与身份证一致的姓名。")]
    try:
        id_number = validate_id_number(id_number)
    except IdentityError as exc:
        errors["id_number"] = [str(exc)]
    if phone:
        try:
            phone = validate_phone(phone)
        except IdentityError as exc:
            errors["phone"] = [str(exc)]
    return real_name, id_number, phone, errors


ID_UNAVAILABLE = gettext_lazy("无法用该身份证号码注册。如您已注册,请直接登录;如曾在政务服务窗口办事,请使用“认领窗口登记的账号”;"
                   "仍有疑问请携带身份证到任一综合窗口办理。")
ID_UNAVAILABLE_FIELD = gettext_lazy("无法用该身份证号码注册,请直接登录或认领窗口登记的账号。")


@transaction.atomic
def user_sign_up(*, username, password, real_name, id_number, phone) -> User:
    """Real-name registration of a citizen: the ID number is checked (GB 11643 check digit,
    birth date, region) and may belong to one account only."""
    real_name, id_number, phone, errors = _clean_identity(real_name=real_name, id_number=id_number, phone=phone)
    username = (username or "").strip()
    if not username or len(username) > 64:
        errors["username"] = [_("请填写用户名(不超过64个字符)。")]
    elif User.objects.filter(username=username).exists():
        errors["username"] = [_("该用户名已被使用。")]
    # One answer whether the number has an account or only a window registration: the page must
    # not tell a visitor whether somebody is registered or has been to a hall (accounts.guards
    # limits the attempts).
    if "id_number" not in errors and User.objects.filter(id_number=id_number).exists():
        errors["id_number"] = [str(ID_UNAVAILABLE_FIELD)]
        id_unavailable = True
    else:
        id_unavailable = False
    user = User(username=username, real_name=real_name, id_number=id_number, phone=phone, role=User.Role.PUBLIC)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if id_unavailable:
        raise Invalid(ID_UNAVAILABLE, code="id_number_unavailable", fields=errors)
    if errors:
        raise Invalid(_("注册信息有误,请按提示修改。"), code="invalid_sign_up", fields=errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Invalid(ID_UNAVAILABLE, code="id_number_unavailable") from None
    return user


@transaction.atomic
def applicant_find_or_register(*, real_name, id_number, phone="") -> User:
    """At the window: the applicant by ID number, or a new real-name record without a password
    (they can claim it online later by signing up with the same number)."""
    real_name, id_number, phone, errors = _clean_identity(real_name=real_name, id_number=id_number, phone=phone)
    if errors:
        raise Invalid(_("申请人身份信息有误。"), code="invalid_applicant", fields=errors)
    user = User.objects.filter(id_number=id_number).first()
    if user is not None:
        if user.real_name != real_name:
            raise Invalid(_("姓名与该身份证号码登记的姓名不一致。"), code="name_mismatch",
                          fields={"real_name": [_("请核对申请人姓名。")]})
        return user
    user = User(username=f"id{id_number}", real_name=real_name, id_number=id_number, phone=phone, role=User.Role.PUBLIC)
    user.set_unusable_password()
    user.save()
    return user


# --- claiming an account a window registered ------------------------------------------------


@transaction.atomic
def account_claim(*, id_number, real_name, phone, application_number, username, password) -> User:
    """A person registered at a window (no usable password) takes the account over online: ID
    number, real name, phone and the number of one of their applications (printed on the receipt
    or acceptance notice) must all match. One message for every mismatch, so the page does not
    tell a guesser which part was wrong."""
    refused = Invalid(_("身份信息或办件编号与窗口登记的不一致,无法认领。请核对后重试,或携带身份证到任一窗口办理。"),
                      code="claim_mismatch")
    try:
        id_number = validate_id_number(id_number)
    except IdentityError as exc:
        raise Invalid(str(exc), code="invalid_id_number", fields={"id_number": [str(exc)]}) from None
    user = User.objects.select_for_update().filter(id_number=id_number).first()
    # An account that already has a password gets the same answer as a mismatch: the page must
    # not tell a guesser that the number is registered.
    if user is None or user.role != User.Role.PUBLIC or user.has_usable_password():
        raise refused
    try:
        phone = validate_phone(phone)
    except IdentityError:
        raise refused from None
    number = (application_number or "").strip().upper()
    if (user.real_name != (real_name or "").strip() or not user.phone or user.phone != phone
            or not number or not hooks.application_belongs_to(user, number)):
        raise refused
    username = (username or "").strip()
    errors = {}
    if not username or len(username) > 64:
        errors["username"] = [_("请填写用户名(不超过64个字符)。")]
    elif User.objects.filter(username=username).exclude(pk=user.pk).exists():
        errors["username"] = [_("该用户名已被使用。")]
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise Invalid(_("账号信息有误,请按提示修改。"), code="invalid_sign_up", fields=errors)
    user.username = username
    user.set_password(password)
    user.save(update_fields=["username", "password"])
    logger.info("account claimed online: user %s", user.pk)
    return user


# --- 委托代办: agents and their authorisations -------------------------------------------------


def may_authorise_for(user, enterprise) -> bool:
    """The enterprise's legal representative member or a member it entitled to authorise."""
    return EnterpriseMembership.objects.filter(enterprise=enterprise, user=user, may_authorise=True).exists()


def _find_person(*, real_name, id_number, field):
    return person_at_window(real_name=real_name, id_number=id_number, field=field, code="agent_not_found",
                            message=_("未找到该实名用户,或姓名与身份证号码不一致。代办人须先实名注册。"))


@transaction.atomic
def authorisation_grant(
    *, by, agent_name, agent_id_number, matters, starts_on, ends_on, principal=None, enterprise=None,
    letter_checked=False, note="",
) -> AgentAuthorisation:
    """Record a 委托: online by the principal (or, for an enterprise, by a member entitled to
    authorise), or at a window by a clerk who saw the principal and the signed 授权委托书
    (`principal` then names the person present, `letter_checked` must be true).

    `matters`: the matters named in the 委托书 — of the principal's kind (natural-person
    matters for a person, legal-person matters for an enterprise)."""
    today = timezone.localdate()
    at_window = getattr(by, "is_clerk", False)
    if at_window:
        if principal is None:
            raise Invalid(_("请登记到场的委托人。"), code="principal_required")
        if not letter_checked:
            raise Invalid(_("窗口登记委托须核验委托人签署的授权委托书。"), code="letter_not_checked",
                          fields={"letter_checked": [_("请核验授权委托书原件后勾选。")]})
    else:
        if not getattr(by, "is_public", False):
            raise Forbidden(_("只有委托人本人或窗口人员可以登记委托。"), code="not_principal")
        principal = by
    if enterprise is not None and not may_authorise_for(principal, enterprise):
        raise Forbidden(_("只有企业法定代表人或经其授权的管理人员可以以企业名义委托代办。"), code="not_enterprise_authoriser")
    errors = {}
    agent = None
    try:
        agent = _find_person(real_name=agent_name, id_number=agent_id_number, field="agent_id_number")
    except Invalid as exc:
        errors.update(exc.fields)
    if agent is not None and agent.pk == principal.pk:
        errors["agent_id_number"] = [_("不能委托自己。")]
    matters = list(matters)
    kind = "legal" if enterprise is not None else "natural"
    if not matters:
        errors["matters"] = [_("请至少选择一个委托事项。")]
    elif any(m.target != kind or not m.is_active for m in matters):
        errors["matters"] = [_("个人只能委托办理个人事项,企业只能委托办理法人事项。") if kind == "natural"
                             else _("以企业名义只能委托办理法人事项。")]
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        errors["ends_on"] = [_("请填写委托期限。")]
    elif starts_on > ends_on:
        errors["ends_on"] = [_("截止日期不能早于起始日期。")]
    elif ends_on < today:
        errors["ends_on"] = [_("截止日期不能早于今天。")]
    elif (ends_on - starts_on).days > MAX_AGENCY_DAYS:
        errors["ends_on"] = [_("委托期限最长三年。")]
    if errors:
        raise Invalid(_("委托信息有误,请按提示修改。"), code="invalid_authorisation", fields=errors)
    authorisation = AgentAuthorisation.objects.create(
        principal=principal, enterprise=enterprise, agent=agent, starts_on=starts_on, ends_on=ends_on,
        recorded_at=AgentAuthorisation.RecordedAt.WINDOW if at_window else AgentAuthorisation.RecordedAt.ONLINE,
        recorded_by=by, note=(note or "").strip()[:200],
    )
    authorisation.matters.set(matters)
    logger.info("agent authorisation %s granted by %s", authorisation.pk, by.pk)
    return authorisation


def may_manage_authorisation(user, authorisation) -> bool:
    if authorisation.enterprise_id is not None:
        return authorisation.principal_id == user.pk or may_authorise_for(user, authorisation.enterprise)
    return authorisation.principal_id == user.pk


@transaction.atomic
def authorisation_revoke(*, authorisation, by, reason="") -> AgentAuthorisation:
    """The principal (or the enterprise's authoriser) revokes; the agent may renounce; a clerk
    records a revocation the principal brings to a window. Applications already submitted stay."""
    authorisation = AgentAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
    if not (may_manage_authorisation(by, authorisation) or authorisation.agent_id == by.pk
            or getattr(by, "is_clerk", False)):
        raise Forbidden(_("只有委托人、代办人本人或窗口人员可以撤销该委托。"), code="not_principal")
    if authorisation.revoked_at is not None:
        raise Conflict(_("该委托已撤销。"), code="already_revoked")
    authorisation.revoked_at = timezone.now()
    authorisation.revoked_by = by
    authorisation.revoke_reason = (reason or "").strip()[:200]
    authorisation.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    logger.info("agent authorisation %s revoked by %s", authorisation.pk, by.pk)
    return authorisation


# --- enterprise staff asking to become 经办人 ------------------------------------------------


LETTER_MAX_BYTES = 10 * 1024 * 1024


def _inspect_letter(upload) -> dict:
    """The authorisation letter: PDF, JPG or PNG by content (core.uploads), at most 10 MB."""
    from core.uploads import MATERIAL_KINDS, inspect

    return inspect(upload, field="letter", kinds=MATERIAL_KINDS, max_bytes=LETTER_MAX_BYTES, what=_("授权书"))


@transaction.atomic
def membership_request(*, user, credit_code, note="", letter=None) -> MembershipRequest:
    if not getattr(user, "is_public", False) or not user.id_number:
        raise Forbidden(_("只有实名注册的群众账号可以申请成为企业经办人。"), code="not_real_name_user")
    try:
        credit_code = validate_credit_code(credit_code)
    except IdentityError as exc:
        raise Invalid(str(exc), code="invalid_credit_code", fields={"credit_code": [str(exc)]}) from None
    enterprise = Enterprise.objects.filter(credit_code=credit_code).first()
    if enterprise is None:
        raise NotFound(_("未找到该企业,请核对统一社会信用代码。"), code="enterprise_not_found")
    if EnterpriseMembership.objects.filter(enterprise=enterprise, user=user).exists():
        raise Conflict(_("您已是该企业的经办人。"), code="already_member")
    if MembershipRequest.objects.filter(enterprise=enterprise, user=user, state=MembershipRequest.State.PENDING).exists():
        raise Conflict(_("您已提交过申请,请等待企业审核。"), code="request_pending")
    request = MembershipRequest(user=user, enterprise=enterprise, note=(note or "").strip()[:200])
    if letter is not None:
        info = _inspect_letter(letter)
        request.letter_name = letter.name[:255]
        request.letter.save(f"{info['sha256'][:16]}{info['extension']}", letter, save=False)
    request.save()
    return request


def may_decide_membership(user, request) -> bool:
    return (getattr(user, "role", None) == User.Role.ADMINISTRATOR or getattr(user, "is_superuser", False)
            or may_authorise_for(user, request.enterprise))


@transaction.atomic
def membership_decide(*, request, by, approve: bool, note="") -> MembershipRequest:
    request = MembershipRequest.objects.select_for_update().get(pk=request.pk)
    if not may_decide_membership(by, request):
        raise Forbidden(_("只有企业法定代表人、经其授权的管理人员或系统管理员可以审核经办人申请。"),
                        code="not_enterprise_authoriser")
    if request.state != MembershipRequest.State.PENDING:
        raise Conflict(_("该申请已处理。"), code="already_decided")
    note = (note or "").strip()[:200]
    if not approve and not note:
        raise Invalid(_("不予通过须说明理由。"), code="reason_required", fields={"note": [_("请填写理由。")]})
    request.state = MembershipRequest.State.APPROVED if approve else MembershipRequest.State.REJECTED
    request.decided_by = by
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save()
    if approve:
        EnterpriseMembership.objects.get_or_create(enterprise=request.enterprise, user=request.user,
                                                   defaults={"title": "经办人"})
    logger.info("membership request %s %s by %s", request.pk, request.state, by.pk)
    return request
