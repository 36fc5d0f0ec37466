"""Module switches: each ITIL process can be switched on or off at run time.

Apps register their module in ``AppConfig.ready``. A module without a stored
switch is on. Menus, pages and API endpoints of a switched-off module are
hidden: the middleware answers 404 for the URL namespaces it registered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from sarv.core.models import ModuleSwitch


@dataclass(frozen=True)
class Module:
    code: str
    label: str | Promise
    description: str | Promise = ""
    # URL namespaces (pages and API) that belong to the module.
    namespaces: tuple[str, ...] = field(default_factory=tuple)


_registry: dict[str, Module] = {}


def register(module: Module) -> None:
    _registry[module.code] = module


def all_modules() -> list[Module]:
    return list(_registry.values())


def get(code: str) -> Module:
    return _registry[code]


def enabled_codes() -> set[str]:
    """Return the codes of the modules that are on, in one query."""
    off = set(ModuleSwitch.objects.filter(enabled=False).values_list("code", flat=True))
    return {code for code in _registry if code not in off}


def is_enabled(code: str) -> bool:
    return not ModuleSwitch.objects.filter(code=code, enabled=False).exists()


def module_for_namespace(namespace: str) -> Module | None:
    for module in _registry.values():
        if namespace in module.namespaces:
            return module
    return None


def request_enabled_codes(request: Any) -> set[str]:
    """Return the enabled module codes, read once per request."""
    cached = getattr(request, "_sarv_enabled_modules", None)
    if cached is None:
        cached = enabled_codes()
        request._sarv_enabled_modules = cached
    return cached
