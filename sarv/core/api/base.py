"""Base classes of every API view: authentication, the user's language, and the error format.

Token authentication runs inside the view, after the middleware chose a
language from the session user or the cookie, so the view activates the
token user's language and time zone again once authentication has found the user.
Token authentication is listed first so that a request without credentials
gets 401 with a ``WWW-Authenticate: Token`` header rather than 403.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, viewsets
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, TokenAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sarv.core.middleware import activate_preferences


class SarvAPIMixin(APIView):
    authentication_classes: Sequence[type[BaseAuthentication]] = [TokenAuthentication, SessionAuthentication]

    def perform_authentication(self, request: Request) -> None:
        super().perform_authentication(request)
        activate_preferences(request)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        language = getattr(request, "LANGUAGE_CODE", None)
        if language:
            response.headers["Content-Language"] = language
        return response


class SarvAPIView(SarvAPIMixin):
    pass


class SarvGenericViewSet(SarvAPIMixin, viewsets.GenericViewSet):
    pass


class ActiveReferenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SarvGenericViewSet):
    """Active rows of one reference table, readable by every signed-in user."""

    filter_backends: list[Any] = []
    model: Any = None
    ordering: tuple[str, ...] = ("name_fa",)

    def get_queryset(self) -> QuerySet[Any]:
        return self.model.objects.filter(is_active=True).order_by(*self.ordering)
