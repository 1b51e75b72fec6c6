"""Web helpers every app's pages share, below every app (no domain here):

- `access`: `role_required` (sign-in, then role, else the Chinese 403 page), `not_found_page`,
  `not_found_pages` (a `core.errors.NotFound` from an `access_*` helper becomes the 404 page),
  `show_domain_error`;
- `paging`: `page_of`, one way to cut a list into pages;
- `files`: `pdf_response`, `xlsx_response`, file answers with a Chinese file name;
- `errors`: the portal's own 404/403/500 pages (and JSON answers under /api/), the handlers
  `portal.urls` names and the middleware that serves them with DEBUG on too.

Import from the module that defines a helper (`from core.web.access import role_required`);
this package re-exports nothing.
"""
