"""Situation questions (情形引导): which matters, materials and form fields of a theme apply.

One source for every page that shows or uses them: the theme page and its one-time notice
(一次性告知), the apply form, and the administrator's preview. `load_situation` reads a theme's
questions and catalog in a few queries; `evaluate` is pure rule evaluation over what was read;
`resolve(theme, answers)` is both.

The rules, per chosen option:
- `excluded_matters`: matters of the theme that need not be applied for;
- `OptionMaterial` include / exclude: a material requirement that is added / left out.
A requirement marked `ConditionalMaterial` is left out unless a chosen option includes it, and is
then required. When one chosen option includes a requirement and another excludes it, include
wins: the applicant may bring one paper too many, never one too few. Materials of a left-out
matter are left out with it.

Answers are `{question id: option id}`; in a URL or a form they are `q<question id>=<option id>`.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from core.errors import Invalid

from .models import (
    ConditionalMaterial,
    FormField,
    MaterialRequirement,
    Matter,
    OptionMaterial,
    SituationOption,
    SituationQuestion,
)
from .oneform import form_fields

ANSWER_PREFIX = "q"  # q<question id>=<option id>
PREVIEW_LIMIT = 64  # combinations listed on the preview page


@dataclass(frozen=True)
class Option:
    pk: int
    label: str
    excluded_matters: frozenset[int]
    includes: frozenset[int]  # requirement ids
    excludes: frozenset[int]


@dataclass(frozen=True)
class Question:
    pk: int
    text: str
    help_text: str
    options: tuple[Option, ...]

    @property
    def name(self) -> str:
        return f"{ANSWER_PREFIX}{self.pk}"


@dataclass(frozen=True)
class Situation:
    """What `load_situation` read: the theme, its matters (fields and materials prefetched), its
    questions with their rules, and the ids of the requirements asked for only when chosen."""

    theme: object
    matters: tuple[Matter, ...]
    questions: tuple[Question, ...]
    conditional: frozenset[int]


@dataclass
class Resolution:
    situation: Situation
    answers: dict[int, int]  # question id → option id; empty when the theme asks nothing
    matters: list[Matter]
    requirements: list[MaterialRequirement]
    fields: list[FormField]
    excluded_matters: list[Matter] = field(default_factory=list)
    required_by_answer: frozenset[int] = frozenset()  # requirement ids required only because of an answer

    @property
    def chosen(self) -> list[tuple[Question, Option]]:
        """(question, option) for each answer, in question order."""
        return [(q, o) for q in self.situation.questions for o in q.options if self.answers.get(q.pk) == o.pk]

    @property
    def query(self) -> str:
        """The answers as a query string, to carry them from the theme page to the apply form."""
        return "&".join(f"{ANSWER_PREFIX}{q}={o}" for q, o in sorted(self.answers.items()))

    def record(self) -> dict:
        """The answers as the application should keep them: texts copied, so that a later edit
        of the questions does not change what the applicant answered."""
        return {
            "theme": self.situation.theme.code,
            "answers": [
                {"question": q.pk, "text": q.text, "option": o.pk, "label": o.label} for q, o in self.chosen
            ],
            "matters": [m.code for m in self.matters],
            "requirements": [r.pk for r in self.requirements],
        }


# --- reads -------------------------------------------------------------------------------------


def theme_questions(theme):
    return (
        SituationQuestion.objects.filter(theme=theme)
        .prefetch_related(Prefetch(
            "situationoption_set",
            queryset=SituationOption.objects.order_by("order", "pk").prefetch_related(
                "excluded_matters", Prefetch("optionmaterial_set", queryset=OptionMaterial.objects.order_by("pk"))
            ),
        ))
        .order_by("order", "pk")
    )


def load_situation(theme, matters=None) -> Situation:
    """Read the theme's questions and rules, and its matters unless the caller has them."""
    from .selectors import theme_matters

    matters = tuple(matters if matters is not None else theme_matters(theme))
    questions = []
    for question in theme_questions(theme):
        options = []
        for option in question.situationoption_set.all():
            rules = list(option.optionmaterial_set.all())
            options.append(Option(
                pk=option.pk, label=option.label,
                excluded_matters=frozenset(m.pk for m in option.excluded_matters.all()),
                includes=frozenset(r.requirement_id for r in rules if r.effect == OptionMaterial.Effect.INCLUDE),
                excludes=frozenset(r.requirement_id for r in rules if r.effect == OptionMaterial.Effect.EXCLUDE),
            ))
        questions.append(Question(pk=question.pk, text=question.text, help_text=question.help_text,
                                  options=tuple(options)))
    requirement_ids = [r.pk for m in matters for r in m.materials.all()]
    conditional = frozenset(
        ConditionalMaterial.objects.filter(requirement_id__in=requirement_ids).values_list("requirement_id", flat=True)
    )
    return Situation(theme=theme, matters=matters, questions=tuple(questions), conditional=conditional)


# --- answers -----------------------------------------------------------------------------------


def read_answers(data, situation: Situation, *, required: bool = False) -> dict[int, int] | None:
    """The answers in `data` (a QueryDict or dict of q<id>=<option id>): None when none was given
    (unless `required`); the checked answers when every question has one valid option; otherwise
    Invalid, naming each question whose answer is missing or not one of its options."""
    given = {q.pk: str(data.get(q.name, "")).strip() for q in situation.questions}
    if not any(given.values()) and not required:
        return None
    answers, errors = {}, {}
    for question in situation.questions:
        raw = given[question.pk]
        if not raw:
            errors[question.name] = [_("请回答:%(q)s") % {"q": question.text}]
            continue
        option = next((o for o in question.options if str(o.pk) == raw), None)
        if option is None:
            errors[question.name] = [_("“%(q)s”的回答无效,请重新选择。") % {"q": question.text}]
            continue
        answers[question.pk] = option.pk
    if errors:
        raise Invalid(_("请先回答全部情形问题(%(n)s 处需要处理),再查看材料清单或申请。") % {"n": len(errors)},
                      code="invalid_situation", fields=errors)
    return answers


def evaluate(situation: Situation, answers: dict[int, int]) -> Resolution:
    """Pure: the matters, materials and form fields that apply for these (checked) answers."""
    chosen = [o for q in situation.questions for o in q.options if answers.get(q.pk) == o.pk]
    left_out = set().union(*(o.excluded_matters for o in chosen))
    included = set().union(*(o.includes for o in chosen))
    excluded = set().union(*(o.excludes for o in chosen)) - included
    matters = [m for m in situation.matters if m.pk not in left_out]
    requirements, promoted = [], set()
    for matter in matters:
        for requirement in matter.materials.all():
            if requirement.pk in excluded:
                continue
            if requirement.pk in situation.conditional and requirement.pk not in included:
                continue
            if requirement.pk in included and not requirement.required:
                requirement = copy.copy(requirement)  # chosen: it must be brought
                requirement.required = True
                promoted.add(requirement.pk)
            requirements.append(requirement)
    return Resolution(
        situation=situation, answers=dict(answers), matters=matters, requirements=requirements,
        fields=form_fields(matters), excluded_matters=[m for m in situation.matters if m.pk in left_out],
        required_by_answer=frozenset(promoted),
    )


def resolve(theme, answers: dict[int, int], *, matters=None) -> Resolution:
    """The matters, materials and fields of `theme` for `answers` ({question id: option id}),
    which must answer every question with one of its options (Invalid otherwise)."""
    situation = load_situation(theme, matters)
    checked = read_answers({f"{ANSWER_PREFIX}{q}": o for q, o in answers.items()}, situation, required=True)
    return evaluate(situation, checked or {})


def combinations(situation: Situation, *, limit: int = PREVIEW_LIMIT) -> tuple[list[Resolution], int]:
    """Every combination of answers resolved (at most `limit`), and how many there are."""
    total = 1
    for question in situation.questions:
        total *= max(len(question.options), 1)
    choices = [[(q.pk, o.pk) for o in q.options] for q in situation.questions if q.options]
    rows = [evaluate(situation, dict(combo)) for combo in itertools.islice(itertools.product(*choices), limit)]
    return rows, total


def recorded_requirements(matters, record: dict | None) -> list[MaterialRequirement]:
    """The material requirements of a submitted application as its situation answers decided
    them (`record`: `Resolution.record()` kept on the application): those the answers left out
    are dropped, and those an answer made necessary are required (copies, as in `evaluate`).
    Without recorded answers: every requirement of the matters, as declared."""
    requirements = [r for matter in matters for r in matter.materials.all()]
    if not record or "requirements" not in record:
        return requirements
    applying = set(record["requirements"])
    options = [a["option"] for a in record.get("answers", []) if isinstance(a, dict) and "option" in a]
    chosen = set(OptionMaterial.objects.filter(option_id__in=options).values_list("requirement_id", flat=True))
    result = []
    for requirement in requirements:
        if requirement.pk not in applying:
            continue
        if requirement.pk in chosen and not requirement.required:
            requirement = copy.copy(requirement)
            requirement.required = True
        result.append(requirement)
    return result
