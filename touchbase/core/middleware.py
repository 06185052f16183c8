"""Login on every page, and times shown in the user's own zone."""

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.utils import timezone

from touchbase.accounts.models import zone_of


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a login, except those marked `login_not_required`.

    The JSON API answers for itself (401 with the API's error shape), so it is
    left to the API's own authentication rather than redirected to a login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class UserTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(zone_of(user=user))
        else:
            timezone.deactivate()
        return self.get_response(request)
