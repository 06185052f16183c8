"""Report pages."""

from django.shortcuts import redirect
from django.views.decorators.http import require_GET


@require_GET
def latest(request):
    return redirect("crm:today")
