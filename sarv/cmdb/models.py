"""Configuration management («پایگاه داده مدیریت پیکربندی»): classes, configuration items and relationships.

Data layout, chosen for validation and impact-analysis speed:

- ``CIClass`` is a tree (hardware › server …). ``path`` holds the codes from the root
  (``hardware/server/``) so "this class and its subclasses" is one ``LIKE 'hardware/%'``.
- ``AttributeDefinition`` rows belong to a class and are inherited by its subclasses.
  A CI keeps its attribute values in one JSON object (``CI.attributes``: ``{code: raw value}``)
  validated against the class's effective definitions by ``sarv.cmdb.attributes``. Raw values
  are JSON-friendly: text and choice codes as strings, numbers as numbers, dates as ISO
  ``YYYY-MM-DD``, IP addresses in their compressed form, CI and person references as ids.
- ``Relationship`` rows are "source <type> target" with a validity interval
  (``valid_from`` … ``valid_to``; ``valid_to`` is NULL while it holds). Ending a relationship
  sets ``valid_to``; rows are never deleted, so the graph at a past instant is exact.
- ``ImpactEdge`` is derived from the current relationships: one row per direction in which a
  failure travels (``cause`` fails → ``effect`` is affected), so the impact walk is a plain
  indexed join in both directions. Actions keep it in step with ``Relationship``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sarv.cmdb.choices import AttributeType, CIStatus, Criticality, Environment, Propagation
from sarv.core.models import BilingualNameMixin
from sarv.core.text import normalize_stored, search_key


class CIClass(BilingualNameMixin):
    """A kind of configuration item (server, application, business service…) in a hierarchy.

    ``owner_group`` decides who may edit the class's CIs: members of the owning group of the
    class or of its nearest ancestor that has one (see ``sarv.cmdb.permissions``).
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("parent class"),
    )
    path = models.CharField(max_length=500, editable=False, db_index=True)
    description = models.TextField(_("description"), blank=True)
    owner_group = models.ForeignKey(
        "accounts.SupportGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("owning support group"),
    )
    # CIs of this class may stand for an IT service of the service portfolio (services.Service).
    maps_to_service = models.BooleanField(_("stands for an IT service"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("CI class")
        verbose_name_plural = _("CI classes")
        ordering = ["path"]

    def build_path(self) -> str:
        parent_path = self.parent.path if self.parent_id and self.parent else ""
        return f"{parent_path}{self.code}/"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path = self.build_path()
        super().save(*args, **kwargs)

    def ancestor_codes(self) -> list[str]:
        """Codes from the root class down to this one."""
        return [code for code in self.path.split("/") if code]


class AttributeDefinition(BilingualNameMixin):
    """An administrator-defined attribute of a class, inherited by every subclass."""

    ci_class = models.ForeignKey(
        CIClass, on_delete=models.CASCADE, related_name="attribute_definitions", verbose_name=_("class"),
    )
    code = models.SlugField(_("code"), max_length=60)
    type = models.CharField(_("type"), max_length=16, choices=AttributeType.choices)
    required = models.BooleanField(_("required"), default=False)
    # For choice attributes: [{"value": "raid5", "label_fa": "…", "label_en": "…"}, …]
    choices = models.JSONField(_("choices"), default=list, blank=True)
    # For CI references: the referenced CI must be of this class or one of its subclasses.
    reference_class = models.ForeignKey(
        CIClass, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("referenced class"),
    )
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("class attribute")
        verbose_name_plural = _("class attributes")
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["ci_class", "code"], name="cmdb_attribute_code")]

    def choice_label(self, value: Any) -> str:
        for choice in self.choices or []:
            if choice.get("value") == value:
                if translation.get_language() == "en" and choice.get("label_en"):
                    return str(choice["label_en"])
                return str(choice.get("label_fa") or choice.get("label_en") or value)
        return str(value)


class CIQuerySet(models.QuerySet["CI"]):
    def visible_to(self, user: Any) -> CIQuerySet:
        """Return the CIs ``user`` may see: all with ``cmdb.view_ci``, otherwise the assets they hold."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.has_perm(VIEW_CI_PERMISSION):
            return self
        return self.filter(holder=user)

    def of_class(self, ci_class: CIClass) -> CIQuerySet:
        """CIs of ``ci_class`` and of its subclasses."""
        return self.filter(ci_class__path__startswith=ci_class.path)


VIEW_CI_PERMISSION = "cmdb.view_ci"


class CI(models.Model):
    """A configuration item («قلم پیکربندی»): anything that must be managed to deliver an IT service."""

    IDENTITY_FIELDS = ("property_number", "serial_number", "asset_tag", "hostname")

    name_fa = models.CharField(_("name (Persian)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    ci_class = models.ForeignKey(CIClass, on_delete=models.PROTECT, related_name="cis", verbose_name=_("class"))
    status = models.CharField(_("status"), max_length=20, choices=CIStatus.choices, default=CIStatus.LIVE)
    environment = models.CharField(_("environment"), max_length=20, choices=Environment.choices, blank=True)
    support_group = models.ForeignKey(
        "accounts.SupportGroup", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("support group"),
    )
    location = models.ForeignKey(
        "accounts.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("location"),
    )
    criticality = models.PositiveSmallIntegerField(
        _("criticality"), choices=Criticality.choices, default=Criticality.MEDIUM,
    )
    # Identity keys as typed, and their normalised forms ("" when empty or a placeholder).
    property_number = models.CharField(_("property number"), max_length=100, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    asset_tag = models.CharField(_("asset tag"), max_length=100, blank=True)
    hostname = models.CharField(_("hostname"), max_length=255, blank=True)
    property_number_key = models.CharField(max_length=100, blank=True, editable=False)
    serial_number_key = models.CharField(max_length=100, blank=True, editable=False)
    asset_tag_key = models.CharField(max_length=100, blank=True, editable=False)
    hostname_key = models.CharField(max_length=255, blank=True, editable=False)

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="held_cis",
        verbose_name=_("holder"),
    )
    holder_department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("holder's department"),
    )
    # Only for CIs of a class that maps to services (business and technical services).
    service = models.OneToOneField(
        "services.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="ci",
        verbose_name=_("IT service"),
    )
    description = models.TextField(_("description"), blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)
    search_key = models.TextField(blank=True, editable=False)
    # Identity in an external source (for example "bpic2014:WBS000073"), so re-imports update, not duplicate.
    source_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    timeline = GenericRelation("core.TimelineEntry")

    objects = CIQuerySet.as_manager()

    class Meta:
        verbose_name = _("configuration item")
        verbose_name_plural = _("configuration items")
        ordering = ["name_fa", "id"]
        permissions = [
            ("edit_ci", _("Can edit configuration items of the classes their support group owns")),
            ("edit_any_ci", _("Can edit every configuration item")),
            ("manage_cmdb", _("Can manage CI classes, attributes, relationship types and imports")),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(name_fa="", name_en=""), name="cmdb_ci_has_name"),
            models.UniqueConstraint(
                fields=["property_number_key"], condition=~Q(property_number_key=""), name="cmdb_ci_property_number",
            ),
            models.UniqueConstraint(fields=["asset_tag_key"], condition=~Q(asset_tag_key=""), name="cmdb_ci_asset_tag"),
        ]
        indexes = [
            # The default ordering: the CI pickers show the first CIs by name, which without this index sorts
            # the whole table on every incident page.
            models.Index(fields=["name_fa", "id"], name="cmdb_ci_name"),
            models.Index(fields=["serial_number_key"], name="cmdb_ci_serial"),
            models.Index(fields=["hostname_key"], name="cmdb_ci_hostname"),
            models.Index(fields=["ci_class", "status"], name="cmdb_ci_class_status"),
            models.Index(fields=["holder"], name="cmdb_ci_holder"),
            models.Index(fields=["holder_department"], name="cmdb_ci_holder_department"),
            GinIndex(fields=["search_key"], opclasses=["gin_trgm_ops"], name="cmdb_ci_search_trgm"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.normalize()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {
                "search_key", "name_fa", "name_en", "description", *(f"{n}_key" for n in self.IDENTITY_FIELDS),
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("cmdb:ci", args=[self.pk])

    def normalize(self) -> None:
        """Normalise the names and fill the identity and search keys (``save`` does it; bulk writers call it)."""
        from sarv.cmdb.identity import identity_key

        self.name_fa = normalize_stored(self.name_fa.strip())
        self.name_en = self.name_en.strip()
        self.description = normalize_stored(self.description)
        for name in self.IDENTITY_FIELDS:
            setattr(self, f"{name}_key", identity_key(name, getattr(self, name)))
        self.search_key = self.build_search_key()

    @property
    def name(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_fa or self.name_en

    def build_search_key(self) -> str:
        parts = [self.name_fa, self.name_en, self.property_number, self.serial_number, self.asset_tag, self.hostname]
        return search_key(" ".join(part for part in parts if part))


class RelationshipType(models.Model):
    """A kind of relationship with a name in each direction (runs on / hosts)."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name_fa = models.CharField(_("name (Persian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    inverse_name_fa = models.CharField(_("inverse name (Persian)"), max_length=100)
    inverse_name_en = models.CharField(_("inverse name (English)"), max_length=100, blank=True)
    propagation = models.CharField(_("impact travels"), max_length=16, choices=Propagation.choices)
    # Containment (contains / part of) may not form a cycle.
    is_containment = models.BooleanField(_("containment"), default=False)
    # A symmetric type (connected to) reads the same both ways: A–B and B–A are one edge.
    is_symmetric = models.BooleanField(_("symmetric"), default=False)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("relationship type")
        verbose_name_plural = _("relationship types")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_fa or self.name_en

    @property
    def inverse_label(self) -> str:
        if translation.get_language() == "en" and self.inverse_name_en:
            return self.inverse_name_en
        return self.inverse_name_fa or self.inverse_name_en


class RelationshipRule(models.Model):
    """Allows a relationship type from CIs of one class (or its subclasses) to CIs of another."""

    type = models.ForeignKey(RelationshipType, on_delete=models.CASCADE, related_name="rules",
                             verbose_name=_("relationship type"))
    source_class = models.ForeignKey(CIClass, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("source class"))
    target_class = models.ForeignKey(CIClass, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("target class"))

    class Meta:
        verbose_name = _("allowed relationship")
        verbose_name_plural = _("allowed relationships")
        constraints = [
            models.UniqueConstraint(fields=["type", "source_class", "target_class"], name="cmdb_relationship_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.source_class.code} {self.type_id} {self.target_class.code}"


class RelationshipQuerySet(models.QuerySet["Relationship"]):
    def current(self) -> RelationshipQuerySet:
        return self.filter(valid_to__isnull=True)

    def as_of(self, instant: Any) -> RelationshipQuerySet:
        """Relationships that held at ``instant``: started at or before it and not ended by then."""
        return self.filter(valid_from__lte=instant).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=instant))


class Relationship(models.Model):
    """A typed, directed link «ارتباط»: ``source`` <type> ``target`` (for example app runs on server)."""

    source = models.ForeignKey(CI, on_delete=models.CASCADE, related_name="outgoing", verbose_name=_("source"))
    target = models.ForeignKey(CI, on_delete=models.CASCADE, related_name="incoming", verbose_name=_("target"))
    type = models.ForeignKey(RelationshipType, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("relationship type"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    valid_from = models.DateTimeField(_("from"), default=timezone.now)
    valid_to = models.DateTimeField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")

    objects = RelationshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "type"], condition=Q(valid_to__isnull=True),
                                    name="cmdb_relationship_current_unique"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="cmdb_relationship_not_self"),
        ]
        indexes = [
            models.Index(fields=["source", "valid_from"], name="cmdb_rel_source"),
            models.Index(fields=["target", "valid_from"], name="cmdb_rel_target"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.type_id} {self.target_id}"


class ImpactEdge(models.Model):
    """Derived from a current relationship: if ``cause`` fails, ``effect`` is affected.

    "connected to" gives two rows; every other type one, oriented by its propagation.
    """

    cause = models.ForeignKey(CI, on_delete=models.CASCADE, related_name="+", db_index=False)
    effect = models.ForeignKey(CI, on_delete=models.CASCADE, related_name="+", db_index=False)
    type = models.ForeignKey(RelationshipType, on_delete=models.CASCADE, related_name="+", db_index=False)
    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="impact_edges")

    class Meta:
        indexes = [
            models.Index(fields=["cause", "type", "effect"], name="cmdb_edge_cause"),
            models.Index(fields=["effect", "type", "cause"], name="cmdb_edge_effect"),
        ]

    def __str__(self) -> str:
        return f"{self.cause_id} -> {self.effect_id} ({self.type_id})"


class ImportRun(models.Model):
    """An uploaded CSV or Excel file of CIs or relationships, its column mapping and its dry-run report."""

    KIND_CIS = "cis"
    KIND_RELATIONSHIPS = "relationships"
    KINDS = [(KIND_CIS, _("Configuration items")), (KIND_RELATIONSHIPS, _("Relationships"))]

    kind = models.CharField(_("kind"), max_length=20, choices=KINDS)
    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField()
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("CMDB import")
        verbose_name_plural = _("CMDB imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
