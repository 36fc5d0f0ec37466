"""The response to OPTIONS requests on the API."""

from __future__ import annotations

from typing import Any

from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request


class Metadata(SimpleMetadata):
    """DRF's OPTIONS response, which lists the writable fields only for views with one serializer class.

    Several view sets parse each action's body with a serializer of its own and have no ``serializer_class``,
    so DRF's version failed with a server error on them.
    """

    def determine_actions(self, request: Request, view: Any) -> dict[str, Any]:
        # Imported here: rest_framework.generics reads DEFAULT_METADATA_CLASS, which names this module.
        from rest_framework.generics import GenericAPIView

        has_serializer = getattr(view, "serializer_class", None) is not None or (
            type(view).get_serializer_class is not GenericAPIView.get_serializer_class
        )
        if not has_serializer:
            return {}
        return super().determine_actions(request, view)
