"""API of accounts: sign-in with a token, the signed-in user, and the people and organisation lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import django_filters
from django.contrib.auth import authenticate
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from sarv.accounts import actions
from sarv.accounts.api import serializers
from sarv.accounts.models import Department, Location, SupportGroup, User
from sarv.accounts.roles import ROLES
from sarv.core.api.base import ActiveReferenceViewSet, SarvAPIView, SarvGenericViewSet
from sarv.core.api.schema import error_responses
from sarv.core.api.serializers import ErrorSerializer
from sarv.core.errors import ValidationFailed
from sarv.core.permissions import is_agent
from sarv.core.text import search_terms


class InvalidCredentials(ValidationFailed):
    code = "invalid_credentials"
    default_message = _("The username or password is incorrect, or the account is not active.")


class TokenView(SarvAPIView):
    """Sign in for API clients: exchange a username and password for a token, or revoke the token."""

    def get_permissions(self) -> Sequence[Any]:
        if self.request.method == "POST":
            return [AllowAny()]
        return super().get_permissions()

    @extend_schema(
        summary="Get an API token",
        description="Returns the user's token, creating it on first use. Inactive accounts get no token.",
        request=serializers.TokenRequestSerializer,
        responses={200: serializers.TokenSerializer,
                   400: OpenApiResponse(ErrorSerializer, description="Wrong username or password "
                                                                     "(code invalid_credentials), or missing input."),
                   401: OpenApiResponse(ErrorSerializer, description="The request also sent an Authorization header "
                                                                     "with an invalid, revoked or deactivated user's "
                                                                     "token (code authentication_failed); send the "
                                                                     "request without it.")},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        # NOTE: failed attempts are not rate-limited here; the proxy in front of Sarv must limit this URL.
        serializer = serializers.TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # ModelBackend rejects inactive users, so they get the same response as a wrong password.
        user = authenticate(request._request, username=serializer.validated_data["username"],
                            password=serializer.validated_data["password"])
        if user is None:
            raise InvalidCredentials()
        token = actions.issue_api_token(user=user)
        return Response(serializers.TokenSerializer(token).data)

    @extend_schema(
        summary="Revoke the API token",
        description="Deletes the signed-in user's token; clients must sign in again to get a new one.",
        request=None,
        responses={204: OpenApiResponse(description="The token was revoked (or there was none)."),
                   **error_responses()},
    )
    def delete(self, request: Request) -> Response:
        actions.revoke_api_token(user=cast(User, request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(SarvAPIView):
    @extend_schema(summary="Get the signed-in user", responses={200: serializers.MeSerializer, **error_responses()})
    def get(self, request: Request) -> Response:
        user = User.objects.select_related("department", "location").prefetch_related(
            "groups", "support_groups"
        ).get(pk=cast(User, request.user).pk)
        return Response(serializers.MeSerializer(user, context={"request": request}).data)


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", help_text="Words of the name, username or e-mail.")
    role = django_filters.ChoiceFilter(field_name="groups__name", choices=[(r.code, r.label) for r in ROLES.values()])
    support_group = django_filters.ModelChoiceFilter(field_name="support_groups", queryset=SupportGroup.objects.all())
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all())

    class Meta:
        model = User
        fields: list[str] = []

    def filter_text(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        for term in search_terms(value):
            queryset = queryset.filter(search_key__contains=term)
        return queryset


@extend_schema_view(
    list=extend_schema(
        summary="List users",
        description="Agents see every active user; other users see only themselves.",
        responses={200: serializers.UserSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(summary="Get a user", responses={200: serializers.UserSerializer,
                                                             **error_responses(404)}),
)
class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SarvGenericViewSet):
    serializer_class = serializers.UserSerializer
    filterset_class = UserFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    queryset = User.objects.none()

    def get_queryset(self) -> QuerySet[User]:
        user = self.request.user
        queryset = User.objects.filter(is_active=True).select_related("department")
        if not is_agent(user):
            queryset = queryset.filter(pk=cast(User, user).pk)
        return queryset.order_by("first_name", "last_name", "username")


@extend_schema_view(
    list=extend_schema(summary="List departments",
                       responses={200: serializers.DepartmentSerializer(many=True), **error_responses()}),
    retrieve=extend_schema(summary="Get a department",
                           responses={200: serializers.DepartmentSerializer, **error_responses(404)}),
)
class DepartmentViewSet(ActiveReferenceViewSet):
    serializer_class = serializers.DepartmentSerializer
    model = Department
    queryset = Department.objects.none()


@extend_schema_view(
    list=extend_schema(summary="List locations",
                       responses={200: serializers.LocationSerializer(many=True), **error_responses()}),
    retrieve=extend_schema(summary="Get a location",
                           responses={200: serializers.LocationSerializer, **error_responses(404)}),
)
class LocationViewSet(ActiveReferenceViewSet):
    serializer_class = serializers.LocationSerializer
    model = Location
    queryset = Location.objects.none()
    ordering = ("kind", "name_fa")


@extend_schema_view(
    list=extend_schema(summary="List support groups", description="Members are listed for agents only.",
                       responses={200: serializers.SupportGroupSerializer(many=True), **error_responses()}),
    retrieve=extend_schema(summary="Get a support group",
                           responses={200: serializers.SupportGroupSerializer, **error_responses(404)}),
)
class SupportGroupViewSet(ActiveReferenceViewSet):
    serializer_class = serializers.SupportGroupSerializer
    model = SupportGroup
    queryset = SupportGroup.objects.none()

    def get_queryset(self) -> QuerySet[Any]:
        members = User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")
        return super().get_queryset().select_related("lead").prefetch_related(
            Prefetch("members", queryset=members, to_attr="active_members")
        )

