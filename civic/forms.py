"""Forms of 政民互动: they parse the POST; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Comment, Question


class AskForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Question.Kind.choices, initial=Question.Kind.QUESTION)
    matter = forms.CharField(label=_("事项"), required=False)
    department = forms.CharField(label=_("部门"), required=False)
    subject = forms.CharField(label=_("标题"), max_length=200)
    content = forms.CharField(label=_("内容"), widget=forms.Textarea, max_length=4000)
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=64)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=32)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea, max_length=6000)


class PublishForm(forms.Form):
    public_subject = forms.CharField(label=_("公开标题"), max_length=200)
    public_content = forms.CharField(label=_("公开内容"), widget=forms.Textarea, max_length=4000)
    public_answer = forms.CharField(label=_("公开答复"), widget=forms.Textarea, max_length=6000)


class CommentForm(forms.Form):
    content = forms.CharField(label=_("意见"), widget=forms.Textarea, max_length=4000)


class SummaryForm(forms.Form):
    summary = forms.CharField(label=_("意见采纳情况"), widget=forms.Textarea, max_length=8000)


class CommentHandlingForm(forms.Form):
    comment = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    handling = forms.ChoiceField(
        label=_("处理结果"), choices=[c for c in Comment.Handling.choices if c[0]],
        error_messages={"required": _("请选择处理结果。"), "invalid_choice": _("请选择处理结果。")},
    )
    response = forms.CharField(label=_("理由"), required=False, widget=forms.Textarea, max_length=1000,
                               error_messages={"max_length": _("处理说明不超过1000个字。")})
