"""Prospecting pages: the tier list (A leads first, with their key contacts and what is missing).

Views stay thin: they read the request, call a selector or a service, and render.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from touchbase.crm.selectors import paginate

from . import selectors, services


@require_GET
def tier_list(request):
    tier = request.GET.get("tier", "")
    tier = tier if tier in services.TIERS else ""
    page = paginate(selectors.tier_list(tier=tier or None), request.GET.get("page"))
    framework = services.framework_current()
    contacts = selectors.key_contacts([fit.company_id for fit in page], services.scorer_for(framework))
    return render(request, "prospecting/tier_list.html", {
        "section": "leads", "page": page, "tier": tier, "counts": selectors.tier_counts(),
        "framework": framework, "rows": [(fit, contacts.get(fit.company_id, [])) for fit in page],
    })


@require_POST
def gap_tasks(request):
    try:
        created = services.key_contact_gaps_to_tasks(actor=request.user, tier=request.POST.get("tier", "A"))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, f"{len(created)} task{'s' if len(created) != 1 else ''} created to fill "
                                  "the gaps in key contacts." if created else "No new gaps: every one has a task.")
    return redirect("prospecting:tier_list")
