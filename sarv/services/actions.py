"""Changes to the service portfolio; every write checks the administrator role and leaves an audit row."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from sarv.core.actions import (
    check_unique_code,
    check_unique_name,
    clean_code,
    clean_text,
    require_name,
    require_settings_admin,
    save_audited,
)
from sarv.core.errors import ValidationFailed
from sarv.services.models import Service

logger = logging.getLogger(__name__)


def _service_values(values: Mapping[str, Any], service: Service | None) -> dict[str, Any]:
    owner = values.get("owner_group")
    current_owner = service.owner_group_id if service is not None else None
    if owner is not None and not owner.is_active and owner.pk != current_owner:
        raise ValidationFailed(_("The support group %(group)s is not active."), field="owner_group", group=owner)
    return {
        "name_fa": require_name(values),
        "name_en": clean_text(values.get("name_en")),
        "code": clean_code(values.get("code")),
        "description": clean_text(values.get("description")),
        "owner_group": owner,
        "is_active": bool(values.get("is_active", True)),
    }


def _validate_service(service: Service) -> None:
    check_unique_code(Service.objects.all(), service.code, exclude_pk=service.pk)
    check_unique_name(Service.objects.all(), service.name_fa, exclude_pk=service.pk)


def save_service(*, actor: Any, service: Service | None, values: Mapping[str, Any]) -> Service:
    """Create (``service=None``) or change a service; a deactivated service cannot be chosen on new incidents."""
    require_settings_admin(actor)
    cleaned = _service_values(values, service)
    saved = save_audited(actor, service or Service(), cleaned, validate=_validate_service)
    logger.info("Service %s saved by user %s", saved.pk, actor.pk)
    return saved
