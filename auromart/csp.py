"""The Content Security Policy middleware: django-csp's, with one relaxation for the admin.

Pages are strict (settings.CONTENT_SECURITY_POLICY: no inline script or style).
The Django admin keeps the strict script policy but may use inline styles:
django-import-export's import preview marks changed cells with
style="background:..." (diff-match-patch's HTML) and Django's own change list
writes a <style> when a model has no actions. Styles cannot run code; the admin
is for staff only.
"""

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.urls import reverse


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith(reverse("admin:index")):
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
        return parts
