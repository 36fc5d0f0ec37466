from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Numbered pages of 25 by default; clients ask for up to 200 with ``page_size``."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200
