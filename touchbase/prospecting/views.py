"""Prospecting pages: the tier list (A leads first, with their key contacts and what is missing),
the lead framework editor, and inbound leads (the public form endpoint, the clocks, the setup).

Views stay thin: they read the request, call a selector or a service, and render.
"""

import json
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from touchbase.accounts.models import User
from touchbase.crm.selectors import paginate

from . import inbound, selectors, services
from .forms import FrameworkForm
from .models import Away, Framework, Holiday, InboundForm, RoutingRule


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


# -- inbound leads -----------------------------------------------------------


def _wants_json(request) -> bool:
    return (request.content_type == "application/json"
            or "application/json" in request.headers.get("Accept", "").split(",")[0])


def _refusal(request, refused: inbound.Refused, form=None):
    if _wants_json(request):
        response = JsonResponse({"error": {"code": refused.code, "message": refused.message,
                                           "field": refused.field}}, status=refused.status)
    else:
        response = render(request, "prospecting/inbound_form.html", {
            "form": form, "error": refused.message, "field": refused.field, "honeypot": inbound.HONEYPOT,
            "values": request.POST if request.method == "POST" else {}}, status=refused.status)
    if refused.status == 429:
        response["Retry-After"] = "60"
    return response


def _submitted_data(request) -> dict:
    """The posted fields as a dict of strings (or a JSON object's values); Refused when unreadable."""
    if request.content_type == "application/json":
        try:
            body = request.body
            if len(body) > inbound.MAX_BODY_BYTES:  # a client that sent no Content-Length
                raise inbound.Refused(413, "too_large", f"A lead fits in {inbound.MAX_BODY_BYTES:,} bytes.")
            data = json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise inbound.Refused(400, "bad_request", "The body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise inbound.Refused(400, "bad_request", "Send a JSON object of the lead's fields.")
        return data
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise inbound.Refused(415, "unsupported", "Send the form as a web form or as JSON "
                                                  "(Content-Type: application/json).")
    return {name: request.POST.get(name) for name in request.POST}


@login_not_required
@csrf_exempt  # Posted from the company's own website (another origin): the form's unguessable key is the guard.
@require_http_methods(["GET", "POST"])
def inbound_submit(request, key: str):
    """The public door for inbound leads: GET shows a plain form, POST takes a lead (form or JSON)."""
    form = InboundForm.objects.filter(key=key, enabled=True).first()
    if request.method == "GET":
        if form is None:
            raise Http404("There is no form at this address, or it no longer takes leads.")
        return render(request, "prospecting/inbound_form.html", {"form": form, "honeypot": inbound.HONEYPOT,
                                                                 "values": {}})
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    try:
        if length > inbound.MAX_BODY_BYTES:
            raise inbound.Refused(413, "too_large", f"The submission is {length:,} bytes; a lead fits in "
                                                    f"{inbound.MAX_BODY_BYTES:,}.")
        if form is None:
            raise inbound.Refused(404, "not_found", "There is no form at this address, or it no longer takes leads.")
        data = _submitted_data(request)
        received = inbound.inbound_submit(form=form, data=data, ip=request.META.get("REMOTE_ADDR", ""))
    except inbound.Refused as refused:
        return _refusal(request, refused, form)
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": "Thanks: we will be in touch soon.",
                             "lead": str(received.lead.public_id)}, status=201)
    if form.redirect_url:
        return redirect(form.redirect_url)
    return render(request, "prospecting/inbound_form.html", {"form": form, "thanks": True}, status=201)


def _ensure_manager(request) -> None:
    if not request.user.is_manager:
        raise PermissionDenied("Only a manager or an admin sets up inbound forms and routing.")


@require_GET
def inbound_leads(request):
    """Inbound leads with their response clocks, and response times by seller."""
    now = timezone.now()
    owner, state = request.GET.get("owner", ""), request.GET.get("state", "")
    page = paginate(inbound.inbound_list(owner=owner, state=state), request.GET.get("page"))
    days = 90
    return render(request, "prospecting/inbound_list.html", {
        "section": "leads", "page": page, "rows": inbound.clocks(page, now=now), "owner": owner, "state": state,
        "report": inbound.response_report(since=now - timedelta(days=days), now=now), "days": days,
        "owners": User.objects.filter(is_active=True), "can_edit": request.user.is_manager,
    })


@require_GET
def inbound_setup(request):
    """Managers: the forms (address, routing rules, targets), who is away, and the holidays."""
    _ensure_manager(request)
    forms = InboundForm.objects.prefetch_related("rules__owner", "sellers")
    return render(request, "prospecting/inbound_setup.html", {
        "section": "leads", "users": User.objects.filter(is_active=True),
        "away": Away.objects.select_related("user"), "holidays": Holiday.objects.all(),
        "tiers": services.TIERS, "today": timezone.localdate(),
        "forms": [(f, request.build_absolute_uri(reverse("inbound_submit", args=[f.key]))) for f in forms],
    })


def _int_or_none(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError(f"{value!r} is not a whole number.")
    return int(value)


def _date_or_none(value: str):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{value!r} is not a date (YYYY-MM-DD).") from None


@require_POST
def inbound_setup_change(request, what: str):
    """One change from the setup page: a new form, a form's settings, a rule, an away date, a holiday."""
    post, actor = request.POST, request.user
    try:
        if what == "form-new":
            made = inbound.inbound_form_create(actor=actor, name=post.get("name", ""))
            messages.success(request, f"Form {made.name!r} created; put its address in your website's form.")
        elif what == "form":
            form = get_object_or_404(InboundForm, pk=_int_or_none(post.get("form")) or 0)
            sellers = list(User.objects.filter(pk__in=[v for v in post.getlist("sellers") if v.isdigit()]))
            inbound.inbound_form_update(
                actor=actor, form=form, sellers=sellers, name=post.get("name", form.name),
                enabled=post.get("enabled") == "on", redirect_url=post.get("redirect_url", "").strip(),
                **{f"target_{t.lower()}_hours": _int_or_none(post.get(f"target_{t.lower()}_hours"))
                   or form.target_hours(t) for t in services.TIERS})
            messages.success(request, f"Form {form.name!r} saved.")
        elif what == "rule":
            form = get_object_or_404(InboundForm, pk=_int_or_none(post.get("form")) or 0)
            owner = get_object_or_404(User, pk=_int_or_none(post.get("owner")) or 0)
            inbound.routing_rule_add(actor=actor, form=form, owner=owner, country=post.get("country", ""),
                                     tier=post.get("tier", ""), min_employees=_int_or_none(post.get("min_employees")),
                                     max_employees=_int_or_none(post.get("max_employees")))
            messages.success(request, f"Rule added to {form.name!r}.")
        elif what == "rule-delete":
            inbound.routing_rule_delete(actor=actor, rule=get_object_or_404(RoutingRule,
                                                                            pk=_int_or_none(post.get("rule")) or 0))
        elif what == "away":
            user = get_object_or_404(User, pk=_int_or_none(post.get("user")) or 0)
            inbound.away_set(actor=actor, user=user, until=_date_or_none(post.get("until")))
            messages.success(request, f"{user} is away until {post.get('until')}." if post.get("until")
                             else f"{user} is back on duty.")
        elif what == "holiday":
            day = _date_or_none(post.get("day"))
            if day is None:
                raise ValidationError("Give the holiday's date.")
            inbound.holiday_add(actor=actor, day=day, name=post.get("name", ""))
        elif what == "holiday-delete":
            inbound.holiday_delete(actor=actor, holiday=get_object_or_404(Holiday,
                                                                          pk=_int_or_none(post.get("holiday")) or 0))
        else:
            raise Http404("Nothing to change here.")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("prospecting:inbound_setup")
