"""Fixtures of the CMDB tests: a configuration manager and a helper that adds CIs through the actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sarv.cmdb import actions
from sarv.cmdb.models import CI, CIClass, RelationshipType
from sarv.testing import factories


@pytest.fixture
def config_manager(db: Any) -> Any:
    return factories.make_user("parisa", "پریسا", "کاظمی", roles=["configuration_manager"])


@pytest.fixture
def ci_class(db: Any) -> Callable[[str], CIClass]:
    return lambda code: CIClass.objects.get(code=code)


@pytest.fixture
def rel_type(db: Any) -> Callable[[str], RelationshipType]:
    return lambda code: RelationshipType.objects.get(code=code)


@pytest.fixture
def make_ci(config_manager: Any) -> Callable[..., CI]:
    def make(name: str, class_code: str = "server", **values: Any) -> CI:
        return actions.create_ci(actor=config_manager, values={
            "name_en": name, "ci_class": CIClass.objects.get(code=class_code), **values,
        })
    return make


@pytest.fixture
def relate(config_manager: Any) -> Callable[..., Any]:
    def link(source: CI, type_code: str, target: CI, **kwargs: Any) -> Any:
        return actions.relate(actor=config_manager, source=source, target=target,
                              relationship_type=RelationshipType.objects.get(code=type_code), **kwargs)
    return link
