"""Prospecting pages: the tier list (A leads first, with their key contacts and what is missing)
and the lead framework editor.

Views stay thin: they read the request, call a selector or a service, and render.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from touchbase.crm.selectors import paginate

from . import selectors, services
from .forms import FrameworkForm
from .models import Framework


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


@require_http_methods(["GET", "POST"])
def framework_edit(request):
    """Everyone sees the framework in force; managers preview a change and save it as a new version."""
    framework = services.framework_current()
    preview = None
    if request.method == "POST":
        if not request.user.is_manager:
            raise PermissionDenied("Only a manager or an admin can change the lead framework.")
        form = FrameworkForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if request.POST.get("action") == "save":
                saved, moves = services.framework_save(actor=request.user, criteria=data["criteria"],
                                                       tier_a_min=data["tier_a_min"], tier_b_min=data["tier_b_min"],
                                                       note=data["note"])
                if saved.pk == framework.pk:
                    messages.info(request, "Nothing changed: this is the framework in force.")
                else:
                    messages.success(request, f"Saved lead framework v{saved.version}; {moves.moved:,} companies "
                                              "changed tier.")
                return redirect("prospecting:framework")
            preview = services.framework_preview(criteria=data["criteria"], tier_a_min=data["tier_a_min"],
                                                 tier_b_min=data["tier_b_min"])
    else:
        form = FrameworkForm.for_framework(framework)
    return render(request, "prospecting/framework.html", {
        "section": "leads", "framework": framework, "form": form, "preview": preview,
        "can_edit": request.user.is_manager, "versions": Framework.objects.select_related("created_by")[:10],
    })
