"""CRM pages (thin: validate input, call a service, render)."""

from django.shortcuts import render


def today(request):
    return render(request, "crm/today.html", {})
