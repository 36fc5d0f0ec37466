"""Forms of the CMDB pages. They parse and shape input; the rules live in ``sarv.cmdb.actions``.

A CI form carries the fixed fields and one field per attribute of the chosen class
(``attr_<code>``), rendered by the attribute's type. The action validates the values
again with ``sarv.cmdb.attributes.clean_attributes``, so the page, the API and imports
accept and reject the same input.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sarv.accounts.models import Department, Location, SupportGroup, User
from sarv.cmdb.attributes import effective_definitions
from sarv.cmdb.choices import AttributeType, CIStatus, Criticality, Environment, Propagation
from sarv.cmdb.models import CI, AttributeDefinition, CIClass, ImportRun, RelationshipType
from sarv.cmdb.pickers import CIChoiceField, ci_picker_attrs, limit_ci_choices
from sarv.core import jalali
from sarv.core.forms import JalaliDateField, NormalizedCharField, StyledForm, style_form
from sarv.core.text import to_persian_digits
from sarv.incidents.forms import UserChoiceField, active_users, limit_user_choices
from sarv.services.models import Service

ATTRIBUTE_PREFIX = "attr_"


def active_classes() -> QuerySet[CIClass]:
    return CIClass.objects.filter(is_active=True).order_by("path")


def class_label(ci_class: CIClass) -> str:
    """Return the class's name indented by its depth, so a select shows the hierarchy."""
    depth = len(ci_class.ancestor_codes()) - 1
    return "\u2003" * depth + ci_class.name


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return class_label(obj)


# --- Class attributes as form fields ------------------------------------------------------------------


def _choice_options(definition: AttributeDefinition) -> list[tuple[str, str]]:
    english = translation.get_language() == "en"
    options = []
    for choice in definition.choices or []:
        label = (choice.get("label_en") if english else None) or choice.get("label_fa") or choice.get("label_en")
        options.append((str(choice.get("value")), str(label or choice.get("value"))))
    return options


def attribute_field(definition: AttributeDefinition, user_queryset: QuerySet[User]) -> forms.Field:
    """Return the form field that edits one attribute, by the attribute's type."""
    common: dict[str, Any] = {"label": definition.name, "required": definition.required,
                              "help_text": definition.help_text}
    kind = definition.type
    field: forms.Field
    if kind == AttributeType.NUMBER:
        field = forms.CharField(**common, widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}))
    elif kind == AttributeType.DATE:
        field = JalaliDateField(**common)
    elif kind == AttributeType.CHOICE:
        field = forms.ChoiceField(**common, choices=[("", _("Choose…")), *_choice_options(definition)])
    elif kind == AttributeType.IP_ADDRESS:
        # Room for IPv6 with the direction marks a paste from a Persian page brings; the action cleans it.
        field = forms.CharField(**common, max_length=100, widget=forms.TextInput(
            attrs={"dir": "ltr", "placeholder": "192.168.1.10", "class": "cmdb-code"}))
    elif kind == AttributeType.CI:
        queryset = CI.objects.all()
        if definition.reference_class_id:
            queryset = queryset.filter(ci_class__path__startswith=definition.reference_class.path)  # type: ignore[union-attr]
        field = CIChoiceField(**common, queryset=queryset.order_by("name_fa", "pk"))
        ci_picker_attrs(field, definition.reference_class)
    elif kind == AttributeType.PERSON:
        field = UserChoiceField(**common, queryset=user_queryset)
        field.widget.attrs["data-person-picker"] = ""
    else:
        field = NormalizedCharField(**common, max_length=1000)
    field.widget.attrs["data-attribute"] = definition.code
    field.widget.attrs["data-attribute-type"] = kind
    return field


def initial_attribute_value(definition: AttributeDefinition, raw: Any) -> Any:
    """Turn a stored raw value into what the attribute's field shows."""
    if raw is None:
        return None
    if definition.type == AttributeType.DATE:
        try:
            return dt.date.fromisoformat(str(raw))
        except ValueError:
            return raw
    if definition.type == AttributeType.NUMBER and translation.get_language() == "fa":
        return to_persian_digits(str(raw))
    return raw


def attribute_input(definition: AttributeDefinition, value: Any) -> Any:
    """Turn a cleaned field value into the input the action validates (ids for references, dates as dates)."""
    if value in (None, ""):
        return None
    if hasattr(value, "pk"):
        return value.pk
    return value


class AttributeFieldsMixin(forms.Form):
    """Adds one field per effective attribute of ``ci_class``, named ``attr_<code>``."""

    definitions: list[AttributeDefinition]

    def add_attribute_fields(self, ci_class: CIClass | None, stored: dict[str, Any] | None = None) -> None:
        self.definitions = effective_definitions(ci_class) if ci_class is not None else []
        users = active_users()
        for definition in self.definitions:
            name = ATTRIBUTE_PREFIX + definition.code
            self.fields[name] = attribute_field(definition, users)
            if stored is not None and definition.code in stored:
                self.initial[name] = initial_attribute_value(definition, stored[definition.code])
        style_form(self)
        for definition in self.definitions:
            name = ATTRIBUTE_PREFIX + definition.code
            if definition.type == AttributeType.PERSON:
                limit_user_choices(self, name, users)
            elif definition.type == AttributeType.CI:
                limit_ci_choices(self, name, self.fields[name].queryset)  # type: ignore[attr-defined]

    def attribute_fields(self) -> list[forms.BoundField]:
        return [self[ATTRIBUTE_PREFIX + definition.code] for definition in self.definitions]

    def attribute_values(self) -> dict[str, Any]:
        """Return the attribute inputs of the cleaned form by attribute code, with None for blanks."""
        return {
            definition.code: attribute_input(definition, self.cleaned_data.get(ATTRIBUTE_PREFIX + definition.code))
            for definition in self.definitions
        }


# --- Configuration items ------------------------------------------------------------------------------


class CIForm(AttributeFieldsMixin, StyledForm):
    """Create or edit a configuration item with its class's attributes."""

    name_fa = NormalizedCharField(label=_("Name (Persian)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr", "lang": "en"}))
    ci_class = ClassChoiceField(label=_("Class"), queryset=active_classes())
    status = forms.ChoiceField(label=_("Status"), choices=CIStatus.choices, initial=CIStatus.LIVE)
    environment = forms.ChoiceField(label=_("Environment"), choices=[("", _("None")), *Environment.choices],
                                    required=False)
    criticality = forms.TypedChoiceField(label=_("Criticality"), choices=Criticality.choices, coerce=int,
                                         initial=Criticality.MEDIUM)
    support_group = forms.ModelChoiceField(label=_("Support group"), required=False,
                                           queryset=SupportGroup.objects.filter(is_active=True))
    location = forms.ModelChoiceField(label=_("Location"), required=False, queryset=Location.objects.all())
    property_number = forms.CharField(label=_("Property number"), max_length=100, required=False,
                                      widget=forms.TextInput(attrs={"dir": "ltr"}))
    serial_number = forms.CharField(label=_("Serial number"), max_length=100, required=False,
                                    widget=forms.TextInput(attrs={"dir": "ltr", "class": "cmdb-code"}))
    asset_tag = forms.CharField(label=_("Asset tag"), max_length=100, required=False,
                                widget=forms.TextInput(attrs={"dir": "ltr", "class": "cmdb-code"}))
    hostname = forms.CharField(label=_("Hostname"), max_length=255, required=False,
                               widget=forms.TextInput(attrs={"dir": "ltr", "class": "cmdb-code"}))
    holder = UserChoiceField(label=_("Holder"), required=False,
                             queryset=User.objects.filter(is_active=True).select_related("department"))
    holder_department = forms.ModelChoiceField(label=_("Holder's department"), required=False,
                                               queryset=Department.objects.all(),
                                               help_text=_("Left empty, the holder's own department is used."))
    service = forms.ModelChoiceField(label=_("IT service"), required=False, queryset=Service.objects.all(),
                                     help_text=_("For service classes: the portfolio service this item stands for."))
    description = NormalizedCharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIXED_FIELDS = ("name_fa", "name_en", "ci_class", "status", "environment", "criticality", "support_group",
                    "location", "property_number", "serial_number", "asset_tag", "hostname", "holder",
                    "holder_department", "service", "description")

    def __init__(self, *args: Any, ci: CI | None = None, ci_class: CIClass | None = None, **kwargs: Any) -> None:
        if ci is not None:
            kwargs.setdefault("initial", {})
            kwargs["initial"] = {**{name: getattr(ci, name) for name in self.FIXED_FIELDS}, "version": ci.version,
                                 **kwargs["initial"]}
        super().__init__(*args, **kwargs)
        self.ci = ci
        chosen = self._chosen_class(ci_class)
        if chosen is not None:
            self.initial["ci_class"] = chosen
        self.fields["ci_class"].widget.attrs.update({
            "hx-get": reverse("cmdb:attribute_fields"), "hx-trigger": "change", "hx-include": "this",
            "hx-target": "#attribute-fields", "hx-swap": "innerHTML",
        })
        self.add_attribute_fields(chosen, ci.attributes if ci is not None else None)
        limit_user_choices(self, "holder")

    def _chosen_class(self, fallback: CIClass | None) -> CIClass | None:
        raw = self.data.get("ci_class") if self.is_bound else None
        if raw:
            found = active_classes().filter(pk=raw).first() if str(raw).isdigit() else None
            if found is not None:
                return found
        if self.ci is not None:
            return self.ci.ci_class
        return fallback

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name_fa") and not data.get("name_en"):
            self.add_error("name_fa", _("Enter a name in Persian or in English."))
        return data

    def values(self) -> dict[str, Any]:
        """The fixed fields for the action, without the version."""
        return {name: self.cleaned_data.get(name) for name in self.FIXED_FIELDS}


class AttributeFieldsForm(AttributeFieldsMixin, StyledForm):
    """Only the attribute fields of a class, for the HTMX fragment that follows the class select."""

    def __init__(self, *args: Any, ci_class: CIClass | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_attribute_fields(ci_class)


# --- Relationships ------------------------------------------------------------------------------------


DIRECTION_OUTGOING = "outgoing"
DIRECTION_INCOMING = "incoming"


class RelationshipForm(StyledForm):
    """Relate the CI to another: "this CI <type> other" or, with the inverse name, "other <type> this CI"."""

    kind = forms.ChoiceField(label=_("Relationship"))
    other = CIChoiceField(label=_("Other configuration item"), queryset=CI.objects.all())
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args: Any, ci: CI, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "rel_%s")
        super().__init__(*args, **kwargs)
        self.ci = ci
        types = list(RelationshipType.objects.filter(is_active=True))
        options = []
        for kind in types:
            options.append((f"{DIRECTION_OUTGOING}:{kind.code}", kind.label))
            if not kind.is_symmetric:
                options.append((f"{DIRECTION_INCOMING}:{kind.code}", kind.inverse_label))
        self.fields["kind"].choices = [("", _("Choose…")), *options]  # type: ignore[attr-defined]
        self.fields["other"].queryset = CI.objects.exclude(pk=ci.pk).order_by("name_fa", "pk")  # type: ignore[attr-defined]
        ci_picker_attrs(self.fields["other"])
        limit_ci_choices(self, "other", self.fields["other"].queryset)  # type: ignore[attr-defined]

    def endpoints(self) -> tuple[CI, str, CI]:
        """Return (source, type code, target) of the relationship the form describes."""
        direction, code = self.cleaned_data["kind"].split(":", 1)
        other = self.cleaned_data["other"]
        if direction == DIRECTION_INCOMING:
            return other, code, self.ci
        return self.ci, code, other


# --- Impact and history -------------------------------------------------------------------------------


DEPTH_CHOICES = [(str(depth), str(depth)) for depth in range(1, 11)]


class ImpactForm(forms.Form):
    """The impact question: direction, relationship types and depth. Read by the table view and the graph."""

    direction = forms.ChoiceField(label=_("Direction"), choices=[
        ("down", _("Affected if this item fails")), ("up", _("What this item depends on")),
    ], initial="down", required=False, widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    depth = forms.TypedChoiceField(label=_("Depth"), choices=DEPTH_CHOICES, coerce=int, initial=3, required=False)
    types = forms.MultipleChoiceField(label=_("Relationship types"), required=False,
                                      widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "impact_%s")
        super().__init__(*args, **kwargs)
        self.fields["types"].choices = [(kind.code, kind.label)  # type: ignore[attr-defined]
                                        for kind in RelationshipType.objects.filter(is_active=True)]
        depth = self.fields["depth"]
        depth.widget.attrs["class"] = "form-select form-select-sm w-auto"
        depth.widget.choices = [(value, to_persian_digits(value) if jalali.uses_jalali() else value)
                                for value, _label in DEPTH_CHOICES]

    def question(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "direction": data.get("direction") or "down",
            "depth": data.get("depth") or 3,
            "types": list(data.get("types") or []),
        }


class AsOfForm(forms.Form):
    """The date at which the CI page shows the item and its relationships."""

    as_of = JalaliDateField(label=_("As of"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "asof_%s")
        super().__init__(*args, **kwargs)
        style_form(self)
        self.fields["as_of"].widget.attrs["class"] += " form-control-sm"


# --- Classes and attributes (administrators) -------------------------------------------------------


class CIClassForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=60, widget=forms.TextInput(attrs={"dir": "ltr"}),
                           help_text=_("Latin letters, digits, '-' and '_'; used in imports and the API."))
    name_fa = NormalizedCharField(label=_("Name (Persian)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr", "lang": "en"}))
    parent = ClassChoiceField(label=_("Parent class"), required=False, queryset=CIClass.objects.order_by("path"),
                              help_text=_("A subclass inherits every attribute of its parent classes."))
    owner_group = forms.ModelChoiceField(
        label=_("Owning support group"), required=False, queryset=SupportGroup.objects.filter(is_active=True),
        help_text=_("Members of this group may edit items of the class and its subclasses. Left empty, the "
                    "parent class's group decides."),
    )
    description = NormalizedCharField(label=_("Description"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    maps_to_service = forms.BooleanField(label=_("Items of this class stand for IT services"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, initial=0, required=False)

    FIELDS = ("code", "name_fa", "name_en", "parent", "owner_group", "description", "maps_to_service", "is_active",
              "sort_order")

    def __init__(self, *args: Any, ci_class: CIClass | None = None, **kwargs: Any) -> None:
        if ci_class is not None:
            kwargs["initial"] = {name: getattr(ci_class, name) for name in self.FIELDS}
        kwargs.setdefault("auto_id", "class_%s")
        super().__init__(*args, **kwargs)
        if ci_class is not None:
            # A class cannot move under itself or its subclasses; the action checks this too.
            self.fields["parent"].queryset = CIClass.objects.exclude(  # type: ignore[attr-defined]
                path__startswith=ci_class.path).order_by("path")


class RelationshipTypeForm(StyledForm):
    name_fa = NormalizedCharField(label=_("Name (Persian)"), max_length=100,
                                  help_text=_("Read from the source to the target, for example «اجرا روی»."))
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr", "lang": "en"}))
    inverse_name_fa = NormalizedCharField(label=_("Inverse name (Persian)"), max_length=100,
                                          help_text=_("Read from the target back to the source, for example "
                                                      "«میزبان»."))
    inverse_name_en = forms.CharField(label=_("Inverse name (English)"), max_length=100, required=False,
                                      widget=forms.TextInput(attrs={"dir": "ltr", "lang": "en"}))
    code = forms.CharField(label=_("Code"), max_length=40, widget=forms.TextInput(attrs={"dir": "ltr"}),
                           help_text=_("Latin letters, digits and '_'; used in imports and the API. It cannot be "
                                       "changed later."))
    propagation = forms.ChoiceField(label=_("Impact travels"), choices=Propagation.choices)
    is_containment = forms.BooleanField(
        label=_("Containment"), required=False,
        help_text=_("Like contains / part of: no item may end up containing itself."))
    is_symmetric = forms.BooleanField(
        label=_("Symmetric"), required=False,
        help_text=_("Like connected to: the relationship reads the same both ways, and A–B and B–A are one "
                    "relationship."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True,
                                   help_text=_("An inactive type keeps its relationships but no new ones can be "
                                               "added."))
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, initial=0, required=False)

    FIELDS = ("code", "name_fa", "name_en", "inverse_name_fa", "inverse_name_en", "propagation", "is_containment",
              "is_symmetric", "is_active", "sort_order")

    def __init__(self, *args: Any, relationship_type: RelationshipType | None = None, **kwargs: Any) -> None:
        if relationship_type is not None:
            kwargs["initial"] = {name: getattr(relationship_type, name) for name in self.FIELDS}
        kwargs.setdefault("auto_id", "type_%s")
        super().__init__(*args, **kwargs)
        if relationship_type is not None:
            # The code is the type's key in relationships, imports and the API.
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("Latin letters, digits and '_'; used in imports and the API.")


class RelationshipRuleForm(StyledForm):
    source_class = ClassChoiceField(label=_("From class"), queryset=active_classes())
    target_class = ClassChoiceField(label=_("To class"), queryset=active_classes())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "rule_%s")
        super().__init__(*args, **kwargs)


def parse_choices(text: str) -> list[dict[str, str]]:
    """Read one choice a line: "value | Persian label | English label" (labels optional)."""
    choices = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        choices.append({"value": parts[0], "label_fa": parts[1] if len(parts) > 1 else "",
                        "label_en": parts[2] if len(parts) > 2 else ""})
    return choices


def format_choices(choices: list[dict[str, str]]) -> str:
    return "\n".join(" | ".join(filter(None, (c.get("value", ""), c.get("label_fa", ""), c.get("label_en", ""))))
                     for c in choices or [])


class AttributeForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=60, widget=forms.TextInput(attrs={"dir": "ltr"}),
                           help_text=_("Latin letters, digits and '_'; the column name in imports and the API key."))
    name_fa = NormalizedCharField(label=_("Name (Persian)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr", "lang": "en"}))
    type = forms.ChoiceField(label=_("Type"), choices=AttributeType.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.CharField(
        label=_("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text=_("For a choice attribute: one a line, as «value | Persian label | English label»."),
    )
    reference_class = ClassChoiceField(label=_("Referenced class"), required=False,
                                       queryset=CIClass.objects.order_by("path"),
                                       help_text=_("For a reference to a configuration item: the class it must have."))
    help_text = forms.CharField(label=_("Help text"), max_length=300, required=False)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, initial=0, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    FIELDS = ("code", "name_fa", "name_en", "type", "required", "reference_class", "help_text", "sort_order",
              "is_active")

    def __init__(self, *args: Any, definition: AttributeDefinition | None = None, **kwargs: Any) -> None:
        if definition is not None:
            kwargs["initial"] = {**{name: getattr(definition, name) for name in self.FIELDS},
                                 "choices": format_choices(definition.choices)}
        kwargs.setdefault("auto_id", "attr_form_%s")
        super().__init__(*args, **kwargs)

    def values(self, ci_class: CIClass) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in self.FIELDS}
        data["ci_class"] = ci_class
        data["choices"] = parse_choices(self.cleaned_data.get("choices") or "")
        return data


# --- Import -------------------------------------------------------------------------------------------


class ImportUploadForm(StyledForm):
    kind = forms.ChoiceField(label=_("The file holds"), choices=ImportRun.KINDS, initial=ImportRun.KIND_CIS,
                             widget=forms.RadioSelect)
    file = forms.FileField(label=_("CSV or Excel file"),
                           help_text=_("The first row names the columns. Up to 20 MB; UTF-8 CSV or .xlsx."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "import_%s")
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv"


NOT_MAPPED = ""


class ImportMappingForm(forms.Form):
    """One select per target field: which column of the file fills it (or none)."""

    def __init__(self, *args: Any, targets: list[tuple[str, str]], header: list[str], mapping: dict[str, str],
                 **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "map_%s")
        super().__init__(*args, **kwargs)
        columns = [(NOT_MAPPED, _("Not imported")), *((name, name) for name in header)]
        self.targets = targets
        for target, label in targets:
            self.fields[self.field_name(target)] = forms.ChoiceField(
                label=label, choices=columns, required=False, initial=mapping.get(target, NOT_MAPPED),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    @staticmethod
    def field_name(target: str) -> str:
        return "map-" + target.replace(".", "--")

    def mapping(self) -> dict[str, str]:
        return {target: self.cleaned_data[self.field_name(target)] for target, _label in self.targets
                if self.cleaned_data.get(self.field_name(target))}

    def rows(self) -> list[tuple[str, forms.BoundField]]:
        return [(target, self[self.field_name(target)]) for target, _label in self.targets]
