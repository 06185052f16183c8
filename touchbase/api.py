"""The JSON API, versioned in its path: each app's `api.py` router is mounted here.

Who may call it: a bearer token (`touchbase token create`) or the logged-in
session of the web app (writes then need the CSRF token, as forms do). Every
error, whoever raises it, leaves in one shape:

    {"error": {"code": "not_found", "message": "No deal has the id …", "field": null}}

`code` is stable for programs, `message` is for people, `field` names the
input at fault when there is one. A refused stage move also lists the
`missing` exit criteria.
"""

import logging
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as InputError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from touchbase.accounts.services import api_token_authenticate
from touchbase.core.api import router as coach_router
from touchbase.crm.api import router as crm_router
from touchbase.crm.services import ExitCriteriaMissing, StaleDeal
from touchbase.prospecting.api import router as prospecting_router

logger = logging.getLogger(__name__)

UNAUTHORIZED = "Log in, or send an API token as 'Authorization: Bearer <token>' (make one with `touchbase token create`)."


class BearerToken(HttpBearer):
    """`Authorization: Bearer tb_…`, checked against the stored hash."""

    def authenticate(self, request, token):
        found = api_token_authenticate(token)
        return found.user if found else None


class Session(APIKeyCookie):
    """The web app's login. Unsafe methods need the CSRF token, so another site cannot write as the user.

    Unlike ninja's own `django_auth`, the CSRF check runs only once a user is
    logged in: an anonymous write gets 401 (who are you?) rather than 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=False)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and check_csrf(request):
            raise HttpError(403, "The CSRF token is missing or wrong; send the X-CSRFToken header with session writes.")
        return user


def docs_login_required(view):
    """The schema and the docs are for users only: a token or a login, like every operation."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_authenticated:
            user = BearerToken()(request)
            if user is None:
                if request.path.endswith(".json"):
                    return JsonResponse(_error("unauthorized", UNAUTHORIZED), status=401)
                return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return guarded


class TouchbaseAPI(NinjaAPI):
    """NinjaAPI whose "method not allowed" answers also use the one error shape.

    Ninja answers a wrong method with a plain-text 405 before any handler runs,
    so each URL's view is wrapped here instead.
    """

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            pattern.callback = _shaped_405(pattern.callback)
        return urls


def _shaped_405(view):
    @wraps(view)
    def shaped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type", "").startswith("text/"):
            shaped_response = JsonResponse(
                _error("method_not_allowed", f"{request.method} is not allowed here; use {response['Allow']}."),
                status=405)
            shaped_response["Allow"] = response["Allow"]
            return shaped_response
        return response

    return shaped


api = TouchbaseAPI(
    title="touchbase",
    version="1",
    description="The touchbase CRM as JSON. Ids are the records' public UUIDs; money is an integer of "
                "minor units plus a currency code. Errors: {\"error\": {\"code\", \"message\", \"field\"}}.",
    urls_namespace="api",
    auth=[BearerToken(), Session()],
    docs_decorator=docs_login_required,
)


def _error(code: str, message: str, field: str | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": message, "field": field, **extra}}


def _respond(request, status: int, code: str, message: str, field: str | None = None, **extra):
    return api.create_response(request, _error(code, message, field, **extra), status=status)


def _field_of(loc) -> str | None:
    """('body', 'payload', 'amount_minor') -> 'amount_minor'; ('query', 'page') -> 'page'."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        where = parts.pop(0)
        if where == "body" and parts:
            parts.pop(0)  # the name of the view's body argument, meaningless to a caller
    return ".".join(parts) or None


@api.exception_handler(InputError)
def _invalid_input(request, exc):
    problems = []
    for err in exc.errors:
        field = _field_of(err.get("loc", ()))
        message = err.get("msg", "is not valid")
        if field is None and err.get("type") == "missing":
            message = "The request needs a JSON object as its body."
        if err.get("type", "").startswith("int") and not isinstance(err.get("input"), dict | list):
            # Said plainly because the usual mistake is money sent as 12.50 or "12.50".
            message += f" (a whole number, not a float or a string); got {err.get('input')!r}"
        problems.append(f"{field}: {message}" if field else message)
    first = _field_of(exc.errors[0].get("loc", ())) if exc.errors else None
    return _respond(request, 422, "invalid", "; ".join(problems) or "The request is not valid.", first)


@api.exception_handler(ValidationError)
def _refused(request, exc):
    if hasattr(exc, "error_dict"):
        field, messages = next(iter(exc.message_dict.items()))
        message = "; ".join(f"{name}: {' '.join(msgs)}" if name != "__all__" else " ".join(msgs)
                            for name, msgs in exc.message_dict.items())
        return _respond(request, 422, "invalid", message, None if field == "__all__" else field)
    return _respond(request, 422, "invalid", " ".join(exc.messages))


@api.exception_handler(ExitCriteriaMissing)
def _criteria_missing(request, exc):
    missing = [{"id": c.pk, "name": c.name} for c in exc.missing]
    return _respond(request, 422, "exit_criteria_missing", " ".join(exc.messages), "override_reason",
                    missing=missing)


@api.exception_handler(StaleDeal)
def _stale(request, exc):
    return _respond(request, 409, "stale", " ".join(exc.messages), "expected_version")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _respond(request, 403, "forbidden", str(exc) or "You don't have the right to do that.")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _respond(request, 404, "not_found", str(exc) or "There is nothing at this address.")


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return _respond(request, 401, "unauthorized", UNAUTHORIZED)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    codes = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 429: "throttled"}
    message = str(exc)
    if exc.status_code == 400:
        message += ": send a JSON object with the header Content-Type: application/json."
    return _respond(request, exc.status_code, codes.get(exc.status_code, "error"), message)


@api.exception_handler(Exception)
def _crashed(request, exc):
    # Logged with its trace for us; the caller gets the shape and no internals.
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
    return _respond(request, 500, "internal", "Something went wrong on our side; it has been logged.")


api.add_router("/", crm_router)
api.add_router("/", coach_router)
api.add_router("/", prospecting_router)
