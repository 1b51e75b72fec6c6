"""Password rules for GB/T 22239-2019 level 3 (等保三级): "口令应有复杂度要求并定期更换" —
here: at least 8 characters from at least three of four classes (upper case, lower case, digits,
symbols), not a common password, not the site's or a person's name with a few digits stuck on
(`Tongban1`, `zhangsan1`), not like the user name. Django's own length, common-password and
similarity validators run as well (settings.AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    re.compile(r"[A-Z]"),
    re.compile(r"[a-z]"),
    re.compile(r"[0-9]"),
    re.compile(r"[^A-Za-z0-9]"),
)

# Words that, with digits and symbols removed, leave a password a guesser tries first: the
# portal's and the district's names, the usual pinyin placeholders and Chinese favourites.
GUESSABLE_WORDS = {
    "tongban", "qingxin", "qingyuan", "zhengwu", "zhengfu", "gov", "admin", "administrator", "root",
    "password", "passw", "pass", "pwd", "mima", "test", "demo", "user", "guest", "welcome", "login",
    "qwerty", "qwertyuiop", "asdf", "asdfgh", "asdfghjkl", "zxcvbn", "qaz", "qazwsx", "wsx", "abc",
    "abcd", "abcdef", "abcdefg", "aaa", "woaini", "iloveyou", "love", "wangyi", "baidu", "taobao",
    "zhangsan", "lisi", "wangwu", "zhaoliu", "xiaoming", "china", "zhongguo", "beijing", "guangdong",
    "huawei", "dragon", "monkey", "sunshine", "princess", "football", "shanghai",
}


def _letters(value: str) -> str:
    return re.sub(r"[^a-z]", "", value.lower())


class ComplexityValidator:
    """At least three of the four character classes (and Django's validator keeps length ≥ 8)."""

    def validate(self, password, user=None):
        if sum(1 for pattern in CLASSES if pattern.search(password)) < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、特殊符号中的至少三类。"), code="password_too_simple")

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、特殊符号中的至少三类。")


class GuessableValidator:
    """Refuses a guessable word (or the user's own name in pinyin or user name) padded with digits
    and symbols: `Tongban1`, `Tongban@2026`, `zhangsan1`, `Admin#123`, and for 张伟 `Zhangwei88!`."""

    def validate(self, password, user=None):
        letters = _letters(password)
        own = set()
        if user is not None:
            own.add(_letters(getattr(user, "username", "") or ""))
            own.add(_letters(_pinyin(getattr(user, "real_name", "") or "")))
        own.discard("")
        if letters in GUESSABLE_WORDS or letters in own or not letters:
            raise ValidationError(_("密码过于简单:不能是常见单词、网站或地名、姓名拼音或用户名加数字。"),
                                  code="password_guessable")
        username = (getattr(user, "username", "") or "").lower() if user is not None else ""
        if len(username) >= 4 and (username in password.lower() or password.lower() in username):
            raise ValidationError(_("密码不能包含用户名。"), code="password_like_username")

    def get_help_text(self):
        return _("不能是常见单词、网站或地名、姓名拼音或用户名加数字。")


def _pinyin(name: str) -> str:
    if not name:
        return ""
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # pragma: no cover - pypinyin is a runtime requirement
        return ""
    return "".join(lazy_pinyin(name))
