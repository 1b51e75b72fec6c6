"""Finding a matter: the pinyin keys stored on every matter and the ranked query over them.

A citizen types Chinese words (营业执照), pinyin initials (yyzz), full pinyin (yingye) or a code
(XK00101). `search_keys` turns a matter's name and result name into two lower-case ASCII
columns stored on `Matter` (`search_initials`, `search_pinyin`); the name's keys come first and
the result name's after a ``|``, so a key never spans the two: ``企业设立登记`` issuing ``营业执照``
→ ``qysldj|yyzz`` and ``qiyeshelidengji|yingyezhizhao``. A third column, `search_text`, holds
everything a word may be found in (name, result name, code, both keys, legal basis), folded to
lower case, so that finding is one plain `LIKE '%…%'` on one column, on SQLite and PostgreSQL
alike; on PostgreSQL a trigram index serves it (migration 0003). All three are filled on every
save. Ranking then looks at the separate columns of the rows found.

Ranking (`MatterQuery.ranked`, lower is better), on the first term of the query:

    1 exact name · 2 name prefix · 3 name contains (or a colloquial word's meaning: 社保 →
    社会保险) · 4 initials or pinyin prefix of the name · 5 initials or pinyin inside the name ·
    6 the result name, in Chinese or pinyin (营业执照 finds 企业设立登记) · 7 code prefix ·
    8 code contains · 9 department or legal basis text

then shorter names first (a closer match), then the code. Every term of a query with several
words must match somewhere (AND), so ``食品 许可`` narrows; Latin words are one pinyin key
(``yingye zhizhao``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Length, StrIndex

from accounts.models import Department

SEPARATOR = "|"
# Full pinyin anywhere inside a name only from this many letters on: "an" or "zh" would match
# half the catalog in the middle of other syllables; prefixes and initials have no such limit.
MIN_PINYIN_INFIX = 3
_ASCII_WORD = re.compile(r"[0-9a-z]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_RUNS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\u3400-\u9fff\uf900-\ufaff]+")


def _ascii_key(text: str) -> str:
    """Lower-case letters and digits only: "4S" → "4s", "Ü" → "v" (pinyin's spelling of ü)."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ü", "v")
    return "".join(_ASCII_WORD.findall(text))


def _keys_of(text: str) -> tuple[str, str]:
    """(initials, full pinyin) of one text. Chinese runs go to pypinyin whole, so a polyphone is
    read in its phrase (银行 → yinhang); Latin letters and digits ("4S", "12345") stay whole words."""
    if not text:
        return "", ""
    from pypinyin import lazy_pinyin  # a 0.2 s dictionary load: only when a name changes

    initials, full = [], []
    for run in _RUNS.findall(unicodedata.normalize("NFKC", text)):
        if _CJK.match(run):
            for syllable in lazy_pinyin(run, errors=lambda chars: ""):  # an unknown character: nothing to type
                key = _ascii_key(syllable)
                if key:
                    initials.append(key[0])
                    full.append(key)
        else:
            key = _ascii_key(run)
            if key:
                initials.append(key)
                full.append(key)
    return "".join(initials), "".join(full)


def search_keys(name: str, result_name: str = "") -> tuple[str, str]:
    """(initials, full pinyin) of a matter: the name's keys, then ``|`` and the result name's."""
    name_initials, name_pinyin = _keys_of(name)
    result_initials, result_pinyin = _keys_of(result_name)
    if result_initials or result_pinyin:
        return f"{name_initials}{SEPARATOR}{result_initials}", f"{name_pinyin}{SEPARATOR}{result_pinyin}"
    return name_initials, name_pinyin


def fold(text: str) -> str:
    """How text is compared: NFKC (full-width Ａ１ → a1) and lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def search_text(matter) -> str:
    """One column a query's words are looked for in: name, result name, code, the pinyin keys and
    the legal basis, folded, one per line (a query word has no line break, so never spans two)."""
    parts = (matter.name, matter.result_name, matter.code, matter.search_initials, matter.search_pinyin,
             matter.legal_basis)
    return "\n".join(fold(part) for part in parts)


SOURCE_FIELDS = {"name", "result_name", "code", "legal_basis"}
KEY_FIELDS = {"search_initials", "search_pinyin", "search_text"}


def fill_search_keys(matter) -> None:
    """Set a matter's stored search columns from its name, result name, code and legal basis
    (`Matter.save` does this on every save)."""
    matter.search_initials, matter.search_pinyin = search_keys(matter.name, matter.result_name)
    matter.search_text = search_text(matter)


# --- the query -----------------------------------------------------------------------------------

# What people say at the counter for what the catalog calls otherwise. A term that is one of
# these (in Chinese or in full pinyin) also finds the catalog's words, ranked as a name match.
COLLOQUIAL = {
    "社保": ("社会保险", "社会保障"),
    "医保": ("医疗保险", "医疗保障"),
    "低保": ("最低生活保障",),
    "户口本": ("居民户口簿",),
    "房产证": ("不动产权证书", "不动产"),
    "残疾证": ("残疾人证",),
    "执照": ("营业执照",),
    "开公司": ("企业设立",),
    "注册公司": ("企业设立",),
    "准生证": ("生育登记",),
    "退休金": ("养老金", "退休待遇"),
}


@lru_cache(maxsize=1)
def _colloquial_by_pinyin() -> dict[str, tuple[str, ...]]:
    return {_keys_of(word)[1]: (word, *meant) for word, meant in COLLOQUIAL.items()}


@dataclass(frozen=True)
class Term:
    text: str  # as typed: for Chinese words and codes
    key: str  # lower-case letters and digits, for pinyin; "" when the term has Chinese in it
    words: tuple[str, ...]  # Chinese words this term stands for: itself, or what a colloquial word means

    @classmethod
    def of(cls, text: str) -> Term:
        if _CJK.search(text):
            return cls(text=text, key="", words=(text, *COLLOQUIAL.get(text, ())))
        key = _ascii_key(text)
        return cls(text=text, key=key, words=_colloquial_by_pinyin().get(key, ()) if key else ())


@dataclass(frozen=True)
class MatterQuery:
    terms: tuple[Term, ...]

    @classmethod
    def parse(cls, q: str) -> MatterQuery | None:
        q = unicodedata.normalize("NFKC", q or "").strip()
        words = q.split()
        if not words:
            return None
        if len(words) > 1 and not _CJK.search(q):
            words = ["".join(words)]  # "yingye zhizhao" is one pinyin key
        return cls(terms=tuple(Term.of(w) for w in words))

    def condition(self) -> Q:
        condition = Q()
        for term in self.terms:
            condition &= _matches(term)
        return condition

    def ranked(self, qs):
        """`qs` filtered to the matches and ordered best first (annotated with `rank`)."""
        qs = qs.filter(self.condition())
        term = self.terms[0]
        whens = [
            When(name__iexact=term.text, then=Value(1)),
            When(name__istartswith=term.text, then=Value(2)),
            When(name__icontains=term.text, then=Value(3)),
        ]
        if term.words:
            whens.append(When(_any("name__contains", term.words), then=Value(3)))
        if term.key:
            key = term.key
            qs = qs.alias(
                _ini=StrIndex("search_initials", Value(key)), _ini_end=StrIndex("search_initials", Value(SEPARATOR)),
                _pin=StrIndex("search_pinyin", Value(key)), _pin_end=StrIndex("search_pinyin", Value(SEPARATOR)),
            )
            in_name = _before_separator("_ini")
            if len(key) >= MIN_PINYIN_INFIX:
                in_name |= _before_separator("_pin")
            whens += [
                When(Q(_ini=1) | Q(_pin=1), then=Value(4)),
                When(in_name, then=Value(5)),
                When(_pinyin_anywhere(key), then=Value(6)),
            ]
        whens += [
            When(_any("result_name__icontains", term.words or (term.text,)), then=Value(6)),
            When(code__istartswith=term.text, then=Value(7)),
            When(code__icontains=term.text, then=Value(8)),
        ]
        rank = Case(*whens, default=Value(9), output_field=IntegerField())
        return qs.annotate(rank=rank).order_by("rank", Length("name"), "code")


def _before_separator(position: str) -> Q:
    """The key was found in the name's part of the column (before "|", or there is no "|")."""
    return Q(**{f"{position}__gt": 0}) & (Q(**{f"{position}_end": 0}) | Q(**{f"{position}__lt": F(f"{position}_end")}))


def _any(lookup: str, values) -> Q:
    condition = Q()
    for value in values:
        condition |= Q(**{lookup: value})
    return condition


def _pinyin_anywhere(key: str) -> Q:
    condition = Q(search_initials__contains=key)
    if len(key) >= MIN_PINYIN_INFIX:
        condition |= Q(search_pinyin__contains=key)
    else:
        condition |= Q(search_pinyin__startswith=key)
    return condition


def _matches(term: Term) -> Q:
    """Where a term may be found. One `LIKE` on `search_text` (one trigram index on PostgreSQL)
    for Chinese words, codes and pinyin keys of three letters or more; a shorter Latin key only
    as initials, a pinyin prefix, part of a code or Latin in a name, which no index serves anyway.
    Departments whose name matches are looked up first (a handful of rows), so that the condition
    stays on the matter's own columns."""
    words = term.words or (term.text,)
    if term.key and not term.words and len(term.key) < MIN_PINYIN_INFIX:
        condition = (_pinyin_anywhere(term.key) | Q(code__icontains=term.text) | Q(name__icontains=term.text)
                     | Q(result_name__icontains=term.text))
    else:
        needles = {fold(word) for word in words}
        if term.key:
            needles.add(term.key)
        condition = Q()
        for needle in sorted(needles):
            condition |= Q(search_text__contains=needle)
    departments = Q()
    for word in words:
        departments |= Q(name__contains=word) | Q(short_name__contains=word)
    department_ids = list(Department.objects.filter(departments).values_list("pk", flat=True))
    if department_ids:
        condition |= Q(department_id__in=department_ids)
    return condition
