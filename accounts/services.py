from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import Invalid

from .identity import IdentityError, validate_id_number, validate_phone
from .models import User


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
    if "id_number" not in errors and User.objects.filter(id_number=id_number).exists():
        errors["id_number"] = [_("该身份证号码已注册,请直接登录或找回密码。")]
    user = User(username=username, real_name=real_name, id_number=id_number, phone=phone, role=User.Role.PUBLIC)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise Invalid(_("注册信息有误,请按提示修改。"), code="invalid_sign_up", fields=errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Invalid(_("该用户名或身份证号码已注册。"), code="already_registered") from None
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
