from django.template.response import TemplateResponse


class MethodNotAllowedPage:
    """Django's `require_POST` answers a GET with an empty 405; people get a page in Chinese.
    The API keeps its own JSON error shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not request.path.startswith("/api/") and not response.content:
            page = TemplateResponse(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page.render()
        return response
