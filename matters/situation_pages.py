"""The page side of situation questions (情形引导), shared by the theme page, the apply form and
the administrator's preview: the questions as radio rows (`matters/_situation_questions.html`)
and the answers read from a request. The rules themselves live in matters.questions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import Invalid

from .models import MaterialRequirement
from .questions import Resolution, Situation, evaluate, load_situation, read_answers


@dataclass
class SituationPage:
    situation: Situation
    resolution: Resolution | None  # None: the theme asks questions not (validly) answered yet
    error: Invalid | None = None
    rows: list[dict] = field(default_factory=list)

    @property
    def asks(self) -> bool:
        return bool(self.situation.questions)

    @property
    def needs_answers(self) -> bool:
        return self.resolution is None

    @property
    def hidden(self) -> list[tuple[str, int]]:
        """(name, option id) of the answers, carried through the apply form as hidden inputs."""
        return [(q.name, o.pk) for q, o in self.resolution.chosen] if self.resolution else []


def situation_page(data, theme, matters=None, *, required: bool = False) -> SituationPage:
    """Read the answers in `data` for `theme`; a page shows `.error` and the questions again when
    they are missing (`required`) or invalid, and uses `.resolution` otherwise."""
    situation = load_situation(theme, matters)
    error, answers = None, None
    try:
        answers = read_answers(data, situation, required=required and bool(situation.questions))
    except Invalid as exc:
        error = exc
    resolution = None
    if error is None and (answers is not None or not situation.questions):
        resolution = evaluate(situation, answers or {})
    chosen = dict(answers or {})
    rows = [
        {
            "question": q,
            "name": q.name,
            "errors": error.fields.get(q.name, []) if error else [],
            "options": [{"pk": o.pk, "label": o.label, "checked": str(o.pk) == str(data.get(q.name, chosen.get(q.pk, "")))}
                        for o in q.options],
        }
        for q in situation.questions
    ]
    return SituationPage(situation=situation, resolution=resolution, error=error, rows=rows)


def bring_and_shared(requirements) -> dict:
    return {
        "bring": [r for r in requirements if r.source == MaterialRequirement.Source.APPLICANT],
        "shared": [r for r in requirements if r.source != MaterialRequirement.Source.APPLICANT],
    }
