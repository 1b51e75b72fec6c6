from rest_framework.pagination import CursorPagination as BaseCursorPagination


class CursorPagination(BaseCursorPagination):
    """Lists that can grow to millions page with cursors, newest first by primary key."""

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 200
