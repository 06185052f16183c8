"""Outreach pages. The one public page is the unsubscribe link; every other page needs a login."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services


@login_not_required
@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no cookie or token of ours
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a button and changes nothing (link scanners GET every link); POST opts the person out."""
    person = services.person_for_token(token)
    if person is None:
        return render(request, "outreach/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        services.person_unsubscribe(person=person)
        return render(request, "outreach/unsubscribe.html", {"done": True, "first_name": person.first_name})
    return render(request, "outreach/unsubscribe.html", {"first_name": person.first_name, "token": token,
                                                         "already": person.opted_out})
