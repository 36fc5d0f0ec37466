"""Shared parts of the incident view set: finding the incident, parsing input, returning the record."""

from __future__ import annotations

from typing import Any, cast

from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from sarv.accounts.models import User
from sarv.core.api.base import SarvGenericViewSet
from sarv.incidents import selectors
from sarv.incidents.api.serializers import IncidentDetailSerializer
from sarv.incidents.models import Incident


class IncidentViewSetBase(SarvGenericViewSet):
    lookup_field = "number"
    # Numbers may be typed with Persian digits (INC-۱۴۰۵-۰۰۰۱۲۳); the selector normalises them.
    lookup_value_regex = r"[^/]+"
    request: Request

    @property
    def actor(self) -> User:
        # Every incident endpoint requires authentication, so the user is never anonymous here.
        return cast(User, self.request.user)

    def get_object(self) -> Incident:
        """Return the incident in the URL if the user may see it; 404 (never 403) otherwise.

        Only reading the incident loads its related rows; actions and sub-lists need the row alone, and
        answer with ``incident_response``, which reads the incident again with them.
        """
        return selectors.get_visible_incident(self.request.user, self.kwargs[self.lookup_field],
                                              related=getattr(self, "action", None) == "retrieve")

    def parse(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def incident_response(self, incident: Incident, status: int = 200) -> Response:
        """Return the incident as it is now, read again with its joins for the detail serializer."""
        fresh = selectors.get_visible_incident(self.request.user, incident.number)
        data = IncidentDetailSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status)

    def created_response(self, incident: Incident) -> Response:
        """Return a new incident as the action left it in memory, with 201.

        The action wrote every column (and the SLA summary) in this request and holds the related rows it
        checked, so reading the incident back would only repeat them.
        """
        data = IncidentDetailSerializer(incident, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    def paginated(self, items: Any, serializer_class: type[serializers.Serializer],
                  convert: Any = None) -> Response:
        """Return one page of ``items``; ``convert`` turns the page's rows into what the serializer reads."""
        page = self.paginate_queryset(items)
        rows = list(page if page is not None else items)
        if convert is not None:
            rows = convert(rows)
        data = serializer_class(rows, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data) if page is not None else Response(data)
