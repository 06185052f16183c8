"""Error pages that never show a stack trace to a user, and the unversioned coach address."""

from django.http import HttpResponseRedirect
from django.shortcuts import render


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def forbidden(request, exception=None):
    message = str(exception) if exception and str(exception) else "You don't have the right to do that."
    return render(request, "errors/403.html", {"message": message}, status=403)


def server_error(request):
    return render(request, "errors/500.html", status=500)


def coach_unversioned(request):
    """`/api/coach` (the address the coach was announced at) -> `/api/v1/coach`.

    307 keeps the method and body, so a POST stays a POST; the versioned API
    then authenticates and answers as usual.
    """
    response = HttpResponseRedirect("/api/v1/coach")
    response.status_code = 307
    return response
