from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from sarv.core import keyset
from sarv.core.errors import ValidationFailed


class PageNumberPagination(pagination.PageNumberPagination):
    """Numbered pages of 25 by default; clients ask for up to 200 with ``page_size``."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        """Return the requested page size, capped at 200; a value that is not a positive number answers 400.

        DRF silently falls back to the default for such values, which hides a client's mistake.
        """
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)  # int() reads Persian and Arabic-Indic digits as well
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationFailed(_("The page size must be a whole number from 1 to %(max)s."),
                                   field=self.page_size_query_param, max=self.max_page_size)
        return min(size, self.max_page_size)


class KeysetPagination(PageNumberPagination):
    """Pages of a long list by keyset (``sarv.core.keyset``): ``next`` and ``previous`` carry a ``cursor``.

    ``page=N`` still works for the first 10,000 rows. ``count`` is exact up to 10,000 rows and
    null above, because an exact count of a million rows costs more than the page.
    """

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any]:
        self.request = request
        self.keyset_request = request
        size = self.get_page_size(request) or self.page_size
        try:
            self.keyset_page = keyset.paginate(queryset, size, cursor=request.query_params.get(self.cursor_query_param),
                                               page=request.query_params.get(self.page_query_param))
        except keyset.InvalidCursor as error:
            raise ValidationFailed(_("This page link is not valid. Start again from the first page."),
                                   field=self.cursor_query_param) from error
        return list(self.keyset_page.object_list)

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = remove_query_param(self.keyset_request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data: Any) -> Response:
        page = self.keyset_page
        return Response({
            "count": page.paginator.count if page.paginator.exact else None,
            "next": self._link(page.next_cursor),
            "previous": self._link(page.previous_cursor),
            "results": data,
        })

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"] = {"type": "integer", "nullable": True, "example": 123,
                                           "description": "Exact up to 10,000 rows; null for longer lists."}
        response["required"] = ["count", "results"]
        return response

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [*super().get_schema_operation_parameters(view), {
            "name": self.cursor_query_param, "required": False, "in": "query",
            "description": "Where the page starts, from the next or previous link of another page.",
            "schema": {"type": "string"},
        }]
