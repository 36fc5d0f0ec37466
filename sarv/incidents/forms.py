"""Forms of the incident pages: the agent workspace, the incident page's quick actions and the requester portal.

Forms only parse and shape input. The rules (who may act, which values are
valid together, attachment limits, versions) live in ``sarv.incidents.actions``.
Views pass an action's error back to the form with ``sarv.core.forms.apply_error``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core import signing
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sarv.accounts.models import SupportGroup, User
from sarv.cmdb.models import CI
from sarv.cmdb.pickers import CIChoiceField, CIMultipleChoiceField, ci_picker_attrs, limit_ci_choices
from sarv.core.choices import Impact, Priority, Urgency
from sarv.core.forms import JalaliDateField, MultipleFileField, NormalizedCharField, StyledForm
from sarv.core.models import Category
from sarv.core.search import normalize_record_number
from sarv.core.text import search_terms
from sarv.incidents.choices import Channel, HoldReason, IncidentStatus
from sarv.incidents.filters import _agents
from sarv.incidents.models import Incident, ResolutionCode
from sarv.services.models import Service, Supplier

# How many people a user picker lists before the agent types a few letters to narrow it down.
USER_PICKER_LIMIT = 30
# Statuses an agent sets by hand. Resolve, close, reopen and cancel have their own forms.
WORKING_STATUSES = (IncidentStatus.ASSIGNED, IncidentStatus.IN_PROGRESS, IncidentStatus.ON_HOLD)

ATTACHMENTS_HELP = _("You can choose several files. If the form shows an error, choose the files again.")
NO_AGENT_LABEL = _("No agent")
CHOOSE_PERSON_LABEL = _("Choose a person")


def empty_subcategory_label(category_chosen: bool) -> Any:
    return _("None") if category_chosen else _("Choose a category first")


def active_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True).select_related("department").order_by("first_name", "last_name", "pk")


def search_users(query: str, queryset: QuerySet[User] | None = None) -> QuerySet[User]:
    """Return active users whose name, username or e-mail contains every term of ``query``."""
    queryset = queryset if queryset is not None else active_users()
    for term in search_terms(query):
        queryset = queryset.filter(search_key__contains=term)
    return queryset


def user_label(user: User) -> str:
    department = user.department.name if user.department_id and user.department else ""
    parts = [user.display_name, user.username]
    if department:
        parts.append(department)
    return " · ".join(parts)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return user_label(obj)


def _bound_pk(form: forms.BaseForm, name: str) -> int | None:
    """Return the primary key that ``name`` holds as the form will show it (submitted data, else initial).

    A submitted value that is not a whole number gives None here; the field's own validation reports it.
    """
    value = form[name].value()
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if hasattr(value, "pk"):
        value = value.pk
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _set_choices(field: forms.Field, options: Iterable[tuple[Any, str]], empty_label: Any = "---------") -> None:
    """Render only ``options`` in the field's select, while validation still uses the field's whole queryset."""
    field.widget.choices = [("", empty_label), *options]


def limit_user_choices(form: forms.BaseForm, name: str, queryset: QuerySet[User] | None = None) -> None:
    """Render the selected user and the first few others instead of every account.

    The select stays small with thousands of users. Typing in the search box
    beside it reloads the options (see ``views.common.user_options``).
    """
    field = form.fields[name]
    base = queryset if queryset is not None else active_users()
    selected = _bound_pk(form, name)
    shown = list(base[:USER_PICKER_LIMIT])
    if selected and not any(str(user.pk) == str(selected) for user in shown):
        shown = list(base.filter(pk=selected)[:1]) + shown
    _set_choices(field, [(user.pk, user_label(user)) for user in shown], CHOOSE_PERSON_LABEL)


class ClassificationMixin(forms.Form):
    """Category and subcategory fields, whose subcategory options follow the chosen category through HTMX."""

    category = forms.ModelChoiceField(
        label=_("Category"), required=False,
        queryset=Category.objects.filter(parent__isnull=True, is_active=True),
    )
    subcategory = forms.ModelChoiceField(
        label=_("Subcategory"), required=False,
        queryset=Category.objects.filter(parent__isnull=False, is_active=True),
    )

    def setup_classification(self, options_url: str) -> None:
        category_field = self.fields["category"]
        category_field.widget.attrs.update({
            "hx-get": options_url, "hx-trigger": "change", "hx-include": "this",
            "hx-target": "#" + self["subcategory"].id_for_label, "hx-swap": "innerHTML",
        })
        category = _bound_pk(self, "category")
        children = subcategories_of(category)
        _set_choices(self.fields["subcategory"], children, empty_subcategory_label(bool(category)))


def subcategories_of(category_id: Any) -> list[tuple[Any, str]]:
    """Return the active subcategories of a category as (pk, name) options, or none for an empty or invalid id."""
    if not category_id or not str(category_id).isdecimal():
        return []
    return [(c.pk, c.name) for c in Category.objects.filter(parent_id=category_id, is_active=True)]


class AssignmentMixin(forms.Form):
    """Support group and agent fields, whose agent options follow the chosen group through HTMX."""

    assigned_group = forms.ModelChoiceField(
        label=_("Support group"), required=False, queryset=SupportGroup.objects.filter(is_active=True),
    )
    assignee = UserChoiceField(label=_("Agent"), required=False, queryset=_agents())

    def setup_assignment(self, options_url: str) -> None:
        self.fields["assigned_group"].widget.attrs.update({
            "hx-get": options_url, "hx-trigger": "change", "hx-include": "this",
            "hx-target": "#" + self["assignee"].id_for_label, "hx-swap": "innerHTML",
        })
        group = _bound_pk(self, "assigned_group")
        members = agents_for_group(group)
        _set_choices(self.fields["assignee"], [(user.pk, user_label(user)) for user in members], NO_AGENT_LABEL)


def agents_for_group(group_id: Any) -> QuerySet[User]:
    """Return the active agents of a support group, or every active agent when no group is chosen."""
    queryset = _agents().select_related("department").order_by("first_name", "last_name", "pk")
    if group_id and str(group_id).isdecimal():
        queryset = queryset.filter(support_groups__pk=group_id)
    return queryset


class LetterMixin(forms.Form):
    """The official letter that ordered the work: its number and Jalali date in the office-automation system."""

    letter_number = NormalizedCharField(label=_("Letter number"), required=False, max_length=120)
    letter_date = JalaliDateField(label=_("Letter date"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("letter_date") and not cleaned.get("letter_number"):
            self.add_error("letter_number", _("Enter the letter number, or clear the letter date."))
        return cleaned


class AffectedCIMixin(forms.Form):
    """The affected configuration item and further ones, with CI pickers and the suggestions panel of the CMDB.

    Changing the requester or the affected CI reloads the panel (``cmdb:incident_suggestions``), which
    suggests the requester's and their department's items and names the service that follows from the CI.
    """

    affected_ci = CIChoiceField(label=_("Affected configuration item"), required=False, queryset=CI.objects.none(),
                                help_text=_("Without a service chosen, the incident takes the one this item affects."))
    further_affected_cis = CIMultipleChoiceField(label=_("Further affected configuration items"), required=False,
                                                 queryset=CI.objects.none())

    def setup_affected_cis(
        self, user: Any, requester_field: str | None = None, requester_id: int | None = None,
    ) -> None:
        visible = CI.objects.visible_to(user)
        for name in ("affected_ci", "further_affected_cis"):
            field = self.fields[name]
            field.queryset = visible  # type: ignore[attr-defined]
            ci_picker_attrs(field)
            limit_ci_choices(self, name, visible)
        affected_id = self["affected_ci"].id_for_label
        triggers = [f"change from:#{affected_id}"]
        includes = [f"#{affected_id}"]
        if requester_field:
            requester_element = self[requester_field].id_for_label
            triggers.append(f"change from:#{requester_element}")
            includes.append(f"#{requester_element}")
        url = f"{reverse('cmdb:incident_suggestions')}?target={affected_id}"
        if requester_id is not None:
            url += f"&requester={requester_id}"
        self.suggestions = {
            "url": url,
            "trigger": ", ".join(["load", *triggers]),
            "include": ", ".join(includes),
        }


class IncidentCreateForm(AffectedCIMixin, LetterMixin, AssignmentMixin, ClassificationMixin, StyledForm):
    """An agent registers an incident for a requester (a phone call, a walk-in, a letter)."""

    requester = UserChoiceField(label=_("Requester"), queryset=active_users())
    title = NormalizedCharField(label=_("Title"), max_length=300)
    description = NormalizedCharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    service = forms.ModelChoiceField(label=_("Affected service"), required=False,
                                     queryset=Service.objects.filter(is_active=True))
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Impact.choices, coerce=int, initial=Impact.MEDIUM)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int, initial=Urgency.MEDIUM)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    attachments = MultipleFileField(label=_("Attachments"), help_text=ATTACHMENTS_HELP)

    field_order = ["requester", "title", "description", "category", "subcategory", "service", "affected_ci",
                   "further_affected_cis", "impact", "urgency", "channel", "assigned_group", "assignee",
                   "letter_number", "letter_date", "attachments"]

    def __init__(self, *args: Any, subcategory_url: str, agent_url: str, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_classification(subcategory_url)
        self.setup_assignment(agent_url)
        limit_user_choices(self, "requester")
        self.setup_affected_cis(user, requester_field="requester")


class PortalReportForm(LetterMixin, ClassificationMixin, StyledForm):
    """A requester reports an incident in the portal."""

    title = NormalizedCharField(label=_("Title"), max_length=300,
                                help_text=_("In a few words, for example: the third-floor printer does not print."))
    description = NormalizedCharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, since when, and what you already tried."),
    )
    service = forms.ModelChoiceField(label=_("Affected service"), required=False,
                                     queryset=Service.objects.filter(is_active=True))
    urgency = forms.TypedChoiceField(label=_("How urgent is it?"), choices=Urgency.choices, coerce=int,
                                     initial=Urgency.MEDIUM)
    attachments = MultipleFileField(label=_("Attachments"), help_text=ATTACHMENTS_HELP)

    field_order = ["title", "description", "category", "subcategory", "service", "urgency", "letter_number",
                   "letter_date", "attachments"]

    def __init__(self, *args: Any, subcategory_url: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_classification(subcategory_url)


class VersionedForm(StyledForm):
    """A quick-action form that carries the version of the incident the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def refresh_version(self, version: int) -> None:
        """After a conflict, keep the typed values but base the next attempt on the current version."""
        data = QueryDict(mutable=True)
        data.update(self.data)
        data["version"] = str(version)
        self.data = data

    def rebase(self, incident: Incident) -> None:
        """After a conflict, prepare the form for a second attempt against the incident as it is now."""
        self.refresh_version(incident.version)


EDIT_FIELDS = ("title", "description", "category", "subcategory", "service", "impact", "urgency", "channel",
               "symptom")
_ORIGINAL_SALT = "sarv.incidents.edit-original"


def _raw(value: Any) -> str:
    # Browsers send textarea line breaks as CRLF; the stored text has LF.
    return "" if value is None else str(value).replace("\r\n", "\n").strip()


class AffectedCIsForm(AffectedCIMixin, VersionedForm):
    """Change the configuration items an incident affects (the incident page's CI panel)."""

    def __init__(self, *args: Any, user: Any = None, requester_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_affected_cis(user, requester_id=requester_id)

    @staticmethod
    def initial_for(incident: Incident) -> dict[str, Any]:
        return {"affected_ci": incident.affected_ci_id, "version": incident.version,
                "further_affected_cis": list(incident.further_affected_cis.values_list("pk", flat=True))}


class EditForm(ClassificationMixin, VersionedForm):
    """Edit the descriptive fields of an incident.

    The form carries the values the user saw (signed, in ``original``), and only the fields the user
    changed are saved. So after a conflict a second save applies the user's own edits on top of the
    other person's, instead of writing back the stale values of the fields the user never touched.
    """

    title = NormalizedCharField(label=_("Title"), max_length=300)
    description = NormalizedCharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    service = forms.ModelChoiceField(label=_("Affected service"), required=False,
                                     queryset=Service.objects.filter(is_active=True))
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Impact.choices, coerce=int)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    symptom = NormalizedCharField(label=_("Symptom"), required=False, max_length=200)
    original = forms.CharField(widget=forms.HiddenInput, required=False)

    field_order = ["title", "description", "category", "subcategory", "service", "impact", "urgency", "channel",
                   "symptom"]

    def __init__(self, *args: Any, subcategory_url: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_classification(subcategory_url)

    @staticmethod
    def initial_for(incident: Incident) -> dict[str, Any]:
        values = {
            "title": incident.title, "description": incident.description, "category": incident.category_id,
            "subcategory": incident.subcategory_id, "service": incident.service_id, "impact": incident.impact,
            "urgency": incident.urgency, "channel": incident.channel, "symptom": incident.symptom,
        }
        original = signing.dumps({name: _raw(value) for name, value in values.items()}, salt=_ORIGINAL_SALT)
        return {**values, "version": incident.version, "original": original}

    def _original_values(self) -> dict[str, str] | None:
        try:
            return cast(dict[str, str], signing.loads(self.data.get("original", ""), salt=_ORIGINAL_SALT))
        except signing.BadSignature:
            return None

    def touched_fields(self) -> list[str]:
        """Return the fields whose submitted value differs from what the user was shown (all, if unknown)."""
        original = self._original_values()
        if original is None:
            return list(EDIT_FIELDS)
        return [name for name in EDIT_FIELDS if _raw(self.data.get(name)) != original.get(name, "")]

    def rebase(self, incident: Incident) -> None:
        """Show the incident's current values, with the user's own edits kept on top of them."""
        touched = self.touched_fields()
        fresh = self.initial_for(incident)
        data = QueryDict(mutable=True)
        for name in EDIT_FIELDS:
            value = self.data.get(name) if name in touched else fresh[name]
            data[name] = "" if value is None else str(value)
        data["version"] = str(incident.version)
        data["original"] = fresh["original"]
        self.data = data


class AssignForm(AssignmentMixin, VersionedForm):
    def __init__(self, *args: Any, agent_url: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_assignment(agent_url)


class StatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("New status"))
    hold_reason = forms.ChoiceField(label=_("On-hold reason"), required=False,
                                    choices=[("", "---------"), *HoldReason.choices])
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), required=False, queryset=Supplier.objects.filter(is_active=True),
        help_text=_("With \"waiting for a supplier\": the supplier whose contract clock runs during the wait."),
    )
    note = NormalizedCharField(
        label=_("Message to the requester"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. The requester sees it in the portal."),
    )

    def __init__(self, *args: Any, statuses: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = cast(forms.ChoiceField, self.fields["status"])
        status.choices = [(s, IncidentStatus(s).label) for s in statuses]


class ResolveForm(VersionedForm):
    resolution_code = forms.ModelChoiceField(label=_("Resolution code"),
                                             queryset=ResolutionCode.objects.filter(is_active=True))
    resolution_notes = NormalizedCharField(
        label=_("Resolution notes"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The requester sees these notes and is asked to confirm the resolution."),
    )


class ReasonForm(StyledForm):
    reason = NormalizedCharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PriorityForm(VersionedForm):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int, required=False)
    reason = NormalizedCharField(label=_("Reason for the manual priority"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The "Back to the matrix" button submits clear=1: the priority follows impact and urgency again.
        cleaned["clear"] = self.data.get("clear") == "1"
        if not cleaned["clear"] and not cleaned.get("priority"):
            self.add_error("priority", _("Choose a priority."))
        return cleaned


class MajorForm(VersionedForm):
    is_major = forms.BooleanField(required=False, widget=forms.HiddenInput)


class EmptyForm(StyledForm):
    """The form of an action that needs nothing but the click (close)."""


class CommentForm(StyledForm):
    """A public reply or a work note, with attachments."""

    body = NormalizedCharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField(label=_("Attachments"), help_text=ATTACHMENTS_HELP)


class LinkChildForm(StyledForm):
    number = NormalizedCharField(label=_("Child incident number"), max_length=40,
                                 widget=forms.TextInput(attrs={"dir": "ltr", "placeholder": "INC-1405-000123"}))

    def clean_number(self) -> str:
        value = self.cleaned_data["number"]
        number = normalize_record_number(value)
        if number is None:
            raise forms.ValidationError(_("Enter an incident number such as INC-1405-000123."))
        return number


class UnlinkChildForm(StyledForm):
    child = forms.IntegerField(widget=forms.HiddenInput)


class WatcherForm(StyledForm):
    user = UserChoiceField(label=_("Person"), queryset=active_users())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_user_choices(self, "user")


class RemoveWatcherForm(StyledForm):
    user = forms.ModelChoiceField(queryset=User.objects.all(), widget=forms.HiddenInput)


class LetterForm(LetterMixin, StyledForm):
    note = NormalizedCharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["letter_number"].required = True


class BulkForm(AssignmentMixin, StyledForm):
    """Assign and/or change the status of the selected incidents."""

    selected = forms.ModelMultipleChoiceField(queryset=Incident.objects.none(), widget=forms.MultipleHiddenInput,
                                              error_messages={"required": _("Select at least one incident.")})
    status = forms.ChoiceField(label=_("New status"), required=False,
                               choices=[("", _("Keep the status")), *[(s, IncidentStatus(s).label)
                                                                      for s in WORKING_STATUSES]])
    hold_reason = forms.ChoiceField(label=_("On-hold reason"), required=False,
                                    choices=[("", "---------"), *HoldReason.choices])
    # The list's query string, so the page comes back with the same filters.
    query = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, incidents: QuerySet[Incident], agent_url: str, **kwargs: Any) -> None:
        super().__init__(*args, auto_id="bulk_%s", **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["selected"]).queryset = incidents
        self.setup_assignment(agent_url)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("assigned_group") or cleaned.get("assignee") or cleaned.get("status")):
            raise forms.ValidationError(_("Choose a support group, an agent or a new status."))
        return cleaned


class SavedViewForm(StyledForm):
    name = NormalizedCharField(label=_("Name of the view"), max_length=100)
    is_shared = forms.BooleanField(label=_("Share with all agents"), required=False)
    query = forms.CharField(required=False, widget=forms.HiddenInput)
