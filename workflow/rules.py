"""Who may take each transition of an application: the `permission=` of its django-fsm
transitions (models.Application). The state machine says *when* (its source states), a rule
here says *who*; pages and the API ask `has_transition_perm`, and services refuse through
`refusal` with the rule's Chinese message before anything changes.

Each rule is a callable `(application, user) -> bool`, as django-fsm wants, that also knows how
to say no (`Rule.refusal`): the window's rules give the exact reason of `clerk_desk` (not seated
today, a window of another category, matters not authorised …).

Below `models` (which imports this module): nothing here imports the models; the one query of
cases in a clerk's hands goes through the instance (`Application.is_in_hand_of`).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import Forbidden

from . import hooks


def _authenticated(user) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def acts_for_applicant(application, user) -> bool:
    """The applicant, or the agent who submitted it while their authorisation is in force
    (not revoked, not expired): they may supplement, provide 容缺 materials and withdraw."""
    if not _authenticated(user):
        return False
    if application.applicant_id == user.pk:
        return True
    authorisation = application.agent_authorisation if application.agent_id == user.pk else None
    return authorisation is not None and authorisation.status_on(timezone.localdate()) == "valid"


def clerk_desk(clerk, *, category=None, delivering=False, matters=None, application=None):
    """The clerk's desk today, checked for the category and matters they act on (their
    window's category and their 授权); raises Forbidden with the reason.

    `application`: the clerk acts on this application. One in their hands (a walk-in they
    registered, a supplement they asked for, 容缺 materials after their acceptance) they finish
    at whatever window they sit today, even after 统一调配 moved them to another hall or
    category; any other is checked by its category and matters."""
    if not getattr(clerk, "is_clerk", False):
        raise Forbidden(_("只有综合窗口人员可以办理此操作。"), code="not_a_clerk")
    desk = hooks.desk_for(clerk, timezone.localdate())
    if desk is None:
        raise Forbidden(_("您今天没有排班窗口,不能办理业务。"), code="no_seat_today")
    if application is not None:
        if application.pk is not None and application.is_in_hand_of(clerk):
            return desk
        category = application.category
        matters = list(application.matters.all()) if application.pk is not None else None
    if category is not None and category not in desk.categories:
        raise Forbidden(_("您所在的窗口不受理该类别的事项。"), code="wrong_window_category")
    if matters is not None and not desk.authorised_for(m.pk for m in matters):
        names = "、".join(m.name for m in matters if m.pk not in desk.matter_ids)
        raise Forbidden(_("您未获授权受理以下事项:%(names)s。请引导申请人到获授权的窗口。") % {"names": names},
                        code="clerk_not_authorised")
    if delivering and not desk.delivers:
        raise Forbidden(_("您所在的窗口不办理出件。"), code="not_a_delivery_window")
    return desk


class Rule:
    """A `permission=` of a transition: `check(application, user)` and what a refused person
    is told."""

    def __init__(self, name: str, check, message: str = "", code: str = ""):
        self.name, self.check, self.message, self.code = name, check, message, code

    def __call__(self, application, user) -> bool:
        return _authenticated(user) and bool(self.check(application, user))

    def refusal(self, application, user) -> Forbidden | None:
        """None when the user may; else the Forbidden a service raises."""
        if self(application, user):
            return None
        return Forbidden(_(self.message), code=self.code)

    def __repr__(self):
        return f"<Rule {self.name}>"


class DeskRule(Rule):
    """A clerk at a window today that may act on the application (or at a delivery window)."""

    def __init__(self, name: str, *, delivering=False, submitting=False):
        super().__init__(name, None)
        self.delivering, self.submitting = delivering, submitting

    def _desk(self, application, user):
        if self.delivering:
            return clerk_desk(user, delivering=True)
        if self.submitting:  # not saved yet: its category, the matters were checked at the screen
            return clerk_desk(user, category=application.category or None)
        return clerk_desk(user, application=application)

    def __call__(self, application, user) -> bool:
        return self.refusal(application, user) is None

    def refusal(self, application, user) -> Forbidden | None:
        if not _authenticated(user):
            return Forbidden(_("只有综合窗口人员可以办理此操作。"), code="not_a_clerk")
        try:
            self._desk(application, user)
        except Forbidden as exc:
            return exc
        return None


def _public(application, user) -> bool:
    return bool(getattr(user, "is_public", False))


class SubmitRule(Rule):
    """Online the public only (staff register walk-ins at a window, whichever page or client
    calls); at a window a clerk seated today at a window of its category."""

    def __init__(self):
        super().__init__("submitter", None)
        self.online = Rule("public", _public, gettext_noop("工作人员请通过窗口收件登记办件。"), "staff_cannot_apply_online")
        self.window = DeskRule("window_intake", submitting=True)

    def _rule(self, application):
        return self.online if application.channel == "online" else self.window

    def __call__(self, application, user) -> bool:
        return self._rule(application)(application, user)

    def refusal(self, application, user) -> Forbidden | None:
        return self._rule(application).refusal(application, user)


# The messages are marked with gettext_noop (makemessages finds them) and translated when said.
submitter = SubmitRule()
applicant = Rule("applicant", acts_for_applicant, gettext_noop("只有申请人本人或其代办人可以办理此操作。"), "not_applicant")
applicant_withdraw = Rule("applicant_withdraw", acts_for_applicant,
                          gettext_noop("只有申请人本人或其代办人可以撤回申请。"), "not_applicant")
applicant_resubmit = Rule("applicant_resubmit", acts_for_applicant,
                          gettext_noop("只有申请人本人或其代办人可以在网上补正。"), "not_applicant")
applicant_self = Rule("applicant_self", lambda application, user: application.applicant_id == user.pk,
                      gettext_noop("只有申请人本人可以选择领取方式。"), "not_applicant")
window = DeskRule("window")
delivery_window = DeskRule("delivery_window", delivering=True)
supervisor = Rule("supervisor", lambda application, user: bool(getattr(user, "is_supervisor", False)),
                  gettext_noop("只有督查人员可以准许再次补正。"), "not_a_supervisor")
system = Rule("system", lambda application, user: False,
              gettext_noop("该步骤由系统自动完成,不能手工办理。"), "system_step")


class EitherRule(Rule):
    """The applicant (or their agent), or a clerk at a window that may act on it: 容缺 materials
    are uploaded by the one or checked in the original by the other."""

    def __init__(self):
        super().__init__("applicant_or_window", None, gettext_noop("只有申请人本人、其代办人或窗口人员可以补交材料。"),
                         "not_applicant")

    def __call__(self, application, user) -> bool:
        return acts_for_applicant(application, user) or window(application, user)

    def refusal(self, application, user) -> Forbidden | None:
        if acts_for_applicant(application, user):
            return None
        if getattr(user, "is_clerk", False):  # a clerk is told why her desk does not fit
            return window.refusal(application, user)
        return Forbidden(_(self.message), code=self.code)


applicant_or_window = EitherRule()


def refusal(method, user) -> Forbidden | None:
    """Whether `user` may take the transition `method` (bound to its application) whatever the
    state: None, or the Forbidden that says why not. The state is the machine's to check."""
    meta = method._django_fsm
    permission = next(iter(meta.transitions.values())).permission
    if permission is None:
        return None
    return permission.refusal(method.__self__, user)
