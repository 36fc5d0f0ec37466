"""Forms of the Settings pages for people and organisation: users, support groups, departments and locations.

Forms parse and shape input only. Rules that look at other rows (unique
usernames and codes, tree cycles, the last administrator) live in
``sarv.accounts.actions``. Views show an action's error on the form with
``sarv.core.forms.apply_error``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sarv.accounts.models import Department, Location, LocationKind, SupportGroup, User
from sarv.accounts.roles import ROLES
from sarv.core.db import persian_order
from sarv.core.forms import NormalizedCharField, StyledForm
from sarv.core.permissions import ACCESS_WORKSPACE
from sarv.core.settings_views.trees import TreeChoiceField
from sarv.core.views import _time_zone_choices

ACTIVE_CHOICES = (("", _("All")), ("1", _("Active")), ("0", _("Inactive")))


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes rendered as Bootstrap form-check rows."""

    template_name = "settings/widgets/checkbox_list.html"


def active_or_current(queryset: QuerySet[Any], current_id: Any) -> QuerySet[Any]:
    """Return the active rows of ``queryset`` plus the one already chosen, so an edit keeps an inactive value."""
    condition = Q(is_active=True)
    if current_id is not None:
        condition |= Q(pk=current_id)
    return queryset.filter(condition)


def people(queryset: QuerySet[User]) -> QuerySet[User]:
    return queryset.order_by(persian_order("last_name"), persian_order("first_name"), "username")


def workspace_users() -> QuerySet[User]:
    """Return active users whose roles open the agent workspace: the people who can lead or join support groups."""
    codes = [code for code, role in ROLES.items() if ACCESS_WORKSPACE in role.permissions]
    return people(User.objects.filter(is_active=True, groups__name__in=codes).distinct())


class UserLabelMixin:
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.username})"


class UserChoiceField(UserLabelMixin, forms.ModelChoiceField):
    pass


class NameFieldsForm(StyledForm):
    """Bilingual names shared by every reference-data form; the Persian name is required."""

    name_fa = NormalizedCharField(label=_("Name (Persian)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr"}))
    code = forms.CharField(label=_("Code"), max_length=40, required=False, widget=forms.TextInput(attrs={"dir": "ltr"}))


# --- Users -------------------------------------------------------------------------------------------


class UserFilterForm(StyledForm):
    q = NormalizedCharField(label=_("Search"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False)
    department = TreeChoiceField(label=_("Department"), queryset=Department.objects.all(), required=False,
                                 empty_label=_("All"))
    active = forms.ChoiceField(label=_("Status"), choices=ACTIVE_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("All")), *((code, role.label) for code, role in ROLES.items())]  # type: ignore[attr-defined]


class UserForm(StyledForm):
    """A user's details, roles, support groups and the department-incidents permission."""

    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}))
    first_name = NormalizedCharField(label=_("First name"), max_length=150, required=False)
    last_name = NormalizedCharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False, widget=forms.EmailInput(attrs={"dir": "ltr"}))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False,
                            widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel"}))
    employee_number = forms.CharField(label=_("Employee number"), max_length=40, required=False,
                                      widget=forms.TextInput(attrs={"dir": "ltr"}))
    job_title = NormalizedCharField(label=_("Job title"), max_length=120, required=False)
    department = TreeChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False,
                                 empty_label=_("None"))
    location = TreeChoiceField(label=_("Location"), queryset=Location.objects.none(), required=False,
                               empty_label=_("None"))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)
    is_active = forms.BooleanField(label=_("Active (may sign in)"), required=False, initial=True)
    roles = forms.MultipleChoiceField(label=_("Roles"), required=False, widget=CheckboxList)
    support_groups = forms.ModelMultipleChoiceField(label=_("Support groups"), queryset=SupportGroup.objects.none(),
                                                    required=False, widget=CheckboxList)
    view_department_incidents = forms.BooleanField(
        label=_("May see their department's incidents"), required=False,
        help_text=_("Besides their own, the user sees every incident reported in their department."),
    )

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["department"].queryset = active_or_current(
            Department.objects.all(), getattr(user, "department_id", None))
        fields["location"].queryset = active_or_current(Location.objects.all(), getattr(user, "location_id", None))
        fields["time_zone"].choices = _time_zone_choices()
        fields["roles"].choices = [(code, role.label) for code, role in ROLES.items()]
        current_groups = list(user.support_groups.values_list("pk", flat=True)) if user is not None else []
        fields["support_groups"].queryset = SupportGroup.objects.filter(
            Q(is_active=True) | Q(pk__in=current_groups)
        ).order_by(persian_order("name_fa"))

    def user_values(self) -> dict[str, Any]:
        """Return the cleaned values that are fields of the user model."""
        extra = {"roles", "support_groups", "view_department_incidents", "password", "password_confirm"}
        return {name: value for name, value in self.cleaned_data.items() if name not in extra}


class PasswordFieldsMixin(forms.Form):
    password = forms.CharField(label=_("Password"), required=False, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "dir": "ltr"}))
    password_confirm = forms.CharField(label=_("Password again"), required=False, strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "dir": "ltr"}))

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("password") != cleaned.get("password_confirm"):
            self.add_error("password_confirm", _("The two passwords differ. Type the same password twice."))
        return cleaned


class UserCreateForm(PasswordFieldsMixin, UserForm):
    """A new user; without a password they cannot sign in with a local password until one is set."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = _("Leave empty to set the password later.")


class PasswordForm(PasswordFieldsMixin, StyledForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].required = True
        self.fields["password_confirm"].required = True


# --- Support groups ----------------------------------------------------------------------------------


class SupportGroupForm(NameFieldsForm):
    email = forms.EmailField(label=_("E-mail"), required=False, widget=forms.EmailInput(attrs={"dir": "ltr"}))
    description = NormalizedCharField(label=_("Description"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))
    lead = UserChoiceField(label=_("Group lead"), queryset=User.objects.none(), required=False,
                           help_text=_("The lead becomes a member of the group if they are not one yet."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = workspace_users()  # type: ignore[attr-defined]


class MemberAddForm(StyledForm):
    user = UserChoiceField(label=_("Agent"), queryset=User.objects.none())

    def __init__(self, *args: Any, group: SupportGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = workspace_users().exclude(support_groups=group)  # type: ignore[attr-defined]


# --- Departments and locations -----------------------------------------------------------------------


class DepartmentForm(NameFieldsForm):
    parent = TreeChoiceField(label=_("Parent department"), queryset=Department.objects.all(), required=False,
                             empty_label=_("None (top level)"))
    manager = UserChoiceField(label=_("Manager"), queryset=User.objects.none(), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = people(User.objects.filter(is_active=True))  # type: ignore[attr-defined]


class LocationForm(NameFieldsForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=LocationKind.choices)
    parent = TreeChoiceField(label=_("Within"), queryset=Location.objects.all(), required=False,
                             empty_label=_("None (top level)"),
                             help_text=_("A site lies in a city and a city in a province."))
    address = NormalizedCharField(label=_("Address"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    field_order = ["kind", "name_fa", "name_en", "code", "parent", "address", "is_active"]
