"""Prospecting pages: the tier list (A leads first, with their key contacts and what is missing),
the lead framework editor, and inbound leads (the public form endpoint, the clocks, the setup).

Views stay thin: they read the request, call a selector or a service, and render.
"""

import json
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from touchbase.accounts.models import User
from touchbase.crm.models import Company
from touchbase.crm.selectors import paginate

from . import inbound, qualifiers, selectors, services, uploads
from .files import BadFile
from .forms import FrameworkForm
from .framework import TAG_MAX, tag_text
from .models import Away, Framework, Holiday, ImportJob, ImportStatus, InboundForm, RoutingRule


@require_GET
def tier_list(request):
    tier = request.GET.get("tier", "")
    tier = tier if tier in services.TIERS else ""
    tag = tag_text(request.GET.get("tag", ""))[:TAG_MAX]
    page = paginate(selectors.tier_list(tier=tier or None, tag=tag), request.GET.get("page"))
    framework = services.framework_current()
    contacts = selectors.key_contacts([fit.company_id for fit in page], services.scorer_for(framework))
    return render(request, "prospecting/tier_list.html", {
        "section": "leads", "page": page, "tier": tier, "tag": tag, "counts": selectors.tier_counts(),
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


@require_POST
def company_qualifier(request, pk: int):
    """The company page's qualifier form: willing to be measured, tags and custom fields; then re-scored."""
    company = get_object_or_404(Company, pk=pk)
    names, values = request.POST.getlist("custom_name"), request.POST.getlist("custom_value")
    custom = {name.strip(): value for name, value in zip(names, values, strict=False) if name.strip()}
    try:
        qualifiers.qualifier_update(actor=request.user, company=company, custom=custom,
                                    willing_to_be_measured=request.POST.get("willing_to_be_measured") or None,
                                    tags=request.POST.get("tags", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        company.refresh_from_db()
        fit = getattr(company, "fit", None)
        messages.success(request, f"Saved; {company.name} is now tier {fit.tier} ({fit.score} points)." if fit
                         else "Saved.")
    return redirect("crm:company_detail", pk=company.pk)


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
    tags, custom_fields = selectors.qualifier_vocabulary() if request.user.is_manager else ([], [])
    return render(request, "prospecting/framework.html", {
        "tags_in_use": tags, "custom_fields_in_use": custom_fields,
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


# -- importing a lead list from the web --------------------------------------


def _import_job(request, public_id):
    job = get_object_or_404(ImportJob.objects.select_related("created_by", "owner"), public_id=public_id)
    if not uploads.can_see(request.user, job):
        # The same answer as a job that does not exist: another seller's uploads are not theirs to know of.
        raise Http404("There is no such import.")
    return job


@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Upload a CSV or XLSX lead list; it is stored and its mapping proposed, then the preview shows."""
    error, status = None, 200
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        try:
            # Refused before the body is read: Django would otherwise spool the whole file to disk first.
            if length > uploads.max_upload_bytes() + 64 * 1024:
                raise uploads.ImportRefused(uploads.too_big_message(length), status=413)
            upload = request.FILES.get("file")
            if upload is None:
                raise uploads.ImportRefused("Choose a CSV or XLSX file to import.")
            job = uploads.import_upload(actor=request.user, upload=upload)
        except uploads.ImportRefused as refused:
            error, status = refused.message, refused.status
        except BadFile as exc:
            error = f"{exc}. Nothing was imported."
        else:
            return redirect("prospecting:import_preview", public_id=job.public_id)
    return render(request, "prospecting/import_upload.html", {
        "section": "leads", "error": error, "max_mb": uploads.max_upload_bytes() // 1_048_576,
        "jobs": uploads.recent_jobs(actor=request.user)}, status=status)


@require_http_methods(["GET", "POST"])
def import_preview(request, public_id):
    """The first rows under the proposed mapping; change a column, then import (or check only)."""
    job = _import_job(request, public_id)
    error, status, posted = None, 200, None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action not in ("remap", "import", "check"):
                raise Http404("Nothing to do here.")
            # Import and Check only take the columns as the form shows them, applied or not.
            kind = request.POST.get("kind", job.kind)
            new_kind = kind != job.kind
            columns = uploads.posted_columns(request.POST)
            overwrite = bool(request.POST.get("overwrite"))
            uploads.import_remap(actor=request.user, job=job, kind=kind, columns=columns, overwrite=overwrite)
            if action == "remap" or new_kind:
                return redirect("prospecting:import_preview", public_id=job.public_id)
            owner = None
            if request.user.is_manager and request.POST.get("owner"):
                owner = get_object_or_404(User, pk=_int_or_none(request.POST["owner"]) or 0, is_active=True)
            uploads.import_start(actor=request.user, job=job, owner=owner, check_only=action == "check",
                                 overwrite=overwrite)
            return redirect("prospecting:import_job", public_id=job.public_id)
        except uploads.ImportRefused as refused:
            error, status = refused.message, refused.status
            if request.POST.get("kind") == job.kind:
                posted = uploads.posted_columns(request.POST)
        except ValidationError as exc:
            error, status = "; ".join(exc.messages), 400
    checked = job.check_only and job.status in (ImportStatus.DONE, ImportStatus.FAILED)
    if (job.status != ImportStatus.UPLOADED and not checked) or job.files_removed_at:
        return redirect("prospecting:import_job", public_id=job.public_id)
    return render(request, "prospecting/import_preview.html", {
        "section": "leads", "error": error,
        "preview": uploads.import_preview(actor=request.user, job=job, posted=posted),
        "kinds": uploads.KINDS, "custom_choice": uploads.CUSTOM_CHOICE,
        # A refused form comes back as the seller left it, box included.
        "overwrite": bool(request.POST.get("overwrite")) if request.method == "POST" else job.overwrite,
        "owners": User.objects.filter(is_active=True) if request.user.is_manager else None,
    }, status=status)


def _job_context(request, job) -> dict:
    job = uploads.import_job_check(job)
    rows_read, total = uploads.import_progress(job)
    return {"job": job, "rows_read": rows_read, "total": total, "report": job.report,
            "columns_mapped": uploads.mapped_columns(job.report),
            "percent": 100 if job.status == ImportStatus.DONE else (rows_read * 100 // total if total else 0),
            "finished": job.status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.DISCARDED),
            "kept_days": uploads.UPLOADS_KEPT.days}


@require_GET
def import_job(request, public_id):
    """An import's progress bar, then its report and the rejected rows to download."""
    job = _import_job(request, public_id)
    return render(request, "prospecting/import_job.html", {"section": "leads", **_job_context(request, job)})


@require_GET
def import_job_progress(request, public_id):
    """The progress fragment the job page polls every second until the import is done or failed."""
    job = _import_job(request, public_id)
    return render(request, "prospecting/_import_progress.html", _job_context(request, job))


@require_POST
def import_retry(request, public_id):
    """Run a failed import again (a stuck one is failed first), with the same file and columns."""
    job = _import_job(request, public_id)
    try:
        uploads.import_retry(actor=request.user, job=job)
    except uploads.ImportRefused as refused:
        messages.error(request, refused.message)
    return redirect("prospecting:import_job", public_id=job.public_id)


@require_POST
def import_discard(request, public_id):
    """Give up on an upload that was not imported: its file and rejected rows are deleted."""
    job = _import_job(request, public_id)
    try:
        uploads.import_discard(actor=request.user, job=job)
    except uploads.ImportRefused as refused:
        messages.error(request, refused.message)
        return redirect("prospecting:import_job", public_id=job.public_id)
    messages.success(request, f"Discarded {job.file_name}; its file is deleted.")
    return redirect("prospecting:import_upload")


@require_GET
def import_rejected(request, public_id):
    """The rows the import refused, with the row number and why, as a CSV download."""
    job = _import_job(request, public_id)
    if job.files_removed_at:
        raise Http404(f"The rejected rows were deleted on {job.files_removed_at:%Y-%m-%d} with the upload.")
    path = uploads.rejected_rows_file(actor=request.user, job=job)
    if path is None:
        raise Http404("This import rejected no rows.")
    name = f"{job.file_name.rsplit('.', 1)[0]}.rejected.csv"
    return FileResponse(open(path, "rb"), as_attachment=True, filename=name, content_type="text/csv")
