"""CRM pages and their htmx fragments.

Views stay thin: they read the request, call a selector to read or a service to
write, and render. Rights are checked by the services (a refused write raises
PermissionDenied, which the 403 page explains); edit pages also check before
drawing a form the user could not submit.
"""

import csv
import io
import itertools
from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook

from touchbase.accounts.models import User, zone_of

from . import permissions, selectors, services
from .forms import CompanyForm, DealForm, MoveForm, PersonForm, TaskForm, TouchForm
from .models import Company, Deal, ExitCriterion, Person, Pipeline, Stage, StageKind, Task

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _is_fragment(request) -> bool:
    """True when htmx or the board's script asked for a piece of a page, not a whole one."""
    return request.headers.get("HX-Request") == "true"


def _owners():
    return list(User.objects.filter(is_active=True).only("id", "first_name", "last_name", "email"))


@require_GET
def today(request):
    user = request.user
    return render(request, "crm/today.html", {
        "tasks": selectors.open_tasks(user=user, today=timezone.localdate()),
        "deals_without_next_step": selectors.deals_without_next_step(user=user),
        "quiet_people": selectors.people_gone_quiet(user=user, now=timezone.now()),
        "inbound_leads": selectors.inbound_about_to_breach(user=user, now=timezone.now()),
        "today": timezone.localdate(),
        "task_form": TaskForm(),
    })


@require_GET
def board(request):
    pipelines = list(Pipeline.objects.all())
    if not pipelines:
        raise Http404("There is no pipeline yet; an admin creates one in the admin.")
    chosen = request.GET.get("pipeline", "")
    pipeline = next((p for p in pipelines if str(p.pk) == chosen), pipelines[0])
    columns, closed = selectors.board(pipeline=pipeline)
    return render(request, "crm/board.html", {
        "pipeline": pipeline, "pipelines": pipelines, "columns": columns, "closed_stages": closed,
        "column_size": selectors.BOARD_COLUMN_SIZE,
    })


class _Echo:
    def write(self, value):
        return value


def _download(kind: str, queryset, fmt: str):
    """Every record the list shows (all pages, same filters and order) as CSV or XLSX, formula-safe."""
    from touchbase.prospecting.exports import cells  # the lead-list export's columns and cell rules

    name = f"touchbase-{kind}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        writer = csv.writer(_Echo())
        lines = itertools.chain(["\ufeff"], (writer.writerow(row) for row in cells(kind, queryset)))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(kind)
        for row in cells(kind, queryset):
            sheet.append(row)
        body = io.BytesIO()
        workbook.save(body)
        response = HttpResponse(body.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _list(request, template: str, queryset, sort: str, sorts: dict, *, kind: str, **context):
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _download(kind, queryset, fmt)
    if fmt:
        return HttpResponse(f"format={fmt[:20]!r}: a list downloads as csv or xlsx.", status=400,
                            content_type="text/plain; charset=utf-8")
    page = selectors.paginate(queryset, request.GET.get("page"))
    download = request.GET.copy()
    download.pop("page", None)
    return render(request, template, {
        "page": page, "rows": page.object_list, "sort": sort, "sorts": sorts,
        "q": request.GET.get("q", ""), "owner": request.GET.get("owner", ""), "owners": _owners(),
        "download_query": download.urlencode(), **context,
    })


@require_GET
def company_list(request):
    get = request.GET
    companies, sort = selectors.company_list(user=request.user, q=get.get("q", ""), owner=get.get("owner"),
                                             industry=get.get("industry", ""), sort=get.get("sort"))
    return _list(request, "crm/company_list.html", companies, sort, selectors.COMPANY_SORTS, kind="companies",
                 industry=get.get("industry", ""), industries=selectors.industries())


@require_GET
def person_list(request):
    get = request.GET
    people, sort = selectors.person_list(user=request.user, q=get.get("q", ""), owner=get.get("owner"),
                                         company=get.get("company"), quiet=get.get("quiet") == "1",
                                         sort=get.get("sort"))
    return _list(request, "crm/person_list.html", people, sort, selectors.PERSON_SORTS, kind="people",
                 quiet=get.get("quiet") == "1")


@require_GET
def deal_list(request):
    get = request.GET
    deals, sort = selectors.deal_list(user=request.user, q=get.get("q", ""), owner=get.get("owner"),
                                      stage=get.get("stage"), status=get.get("status", ""), sort=get.get("sort"))
    return _list(request, "crm/deal_list.html", deals, sort, selectors.DEAL_SORTS, kind="deals",
                 stage=get.get("stage", ""), status=get.get("status", ""),
                 stages=list(Stage.objects.select_related("pipeline")), kinds=StageKind.choices)


@require_GET
def company_names(request):
    """Suggestions for a company-name box: at most ten names starting with what was typed."""
    text = (request.GET.get("company") or request.GET.get("q") or "").strip()
    names = []
    if text:
        names = list(Company.objects.filter(selectors.name_prefix_q("name", text))
                     .order_by("name").values_list("name", flat=True)[:10])
    return render(request, "crm/_company_options.html", {"names": names})


def _record_context(request, **link):
    """What every record page shows: its touch timeline, its tasks, and empty forms to add to both."""
    return {
        "timeline": selectors.timeline(page=request.GET.get("page"), **link),
        "tasks": selectors.record_tasks(**link),
        "touch_form": TouchForm(),
        "task_form": TaskForm(),
    }


@require_GET
def company_detail(request, pk: int):
    company = get_object_or_404(Company.objects.select_related("owner"), pk=pk)
    context = _record_context(request, company=company)
    deals = list(company.deals.select_related("stage", "owner").order_by("stage__kind", "-updated_at")[:50])
    context.update({
        "company": company,
        "people": list(company.people.select_related("owner").order_by("last_name", "first_name")[:50]),
        "people_count": company.people.count(),
        "deals": deals,
        "next_step": selectors.next_step(tasks=context["tasks"], deals=deals),
        "link": {"company": company.pk},
    })
    return render(request, "crm/company_detail.html", context)


@require_GET
def person_detail(request, pk: int):
    person = get_object_or_404(Person.objects.select_related("owner", "company"), pk=pk)
    context = _record_context(request, person=person)
    deals = list(person.deals.select_related("stage", "company").order_by("-updated_at")[:20])
    context.update({
        "person": person,
        "zone": zone_of(person.time_zone, user=person.owner),  # what sequences really use
        "deals": deals,
        "next_step": selectors.next_step(tasks=context["tasks"], deals=deals),
        "link": {"person": person.pk},
    })
    return render(request, "crm/person_detail.html", context)


def _deal_context(deal: Deal) -> dict:
    stages = list(deal.pipeline.stages.order_by("order"))
    checked = set(deal.checks.values_list("criterion_id", flat=True))
    criteria = list(deal.stage.exit_criteria.all())
    return {
        "stages": stages,
        "open_stages": [s for s in stages if s.kind == StageKind.OPEN],
        "criteria": [(c, c.pk in checked) for c in criteria],
        "all_checked": all(c.pk in checked for c in criteria),
    }


@require_GET
def deal_detail(request, pk: int):
    deal = get_object_or_404(Deal.objects.select_related("company", "contact", "stage", "owner", "pipeline"), pk=pk)
    context = _record_context(request, deal=deal)
    context.update(_deal_context(deal))
    context.update({
        "deal": deal,
        "history": selectors.stage_history(deal),
        "next_step": selectors.next_step(tasks=context["tasks"], fallback=deal.next_step),
        "gauge_record": deal.contact or deal.company,
        "link": {"deal": deal.pk, **({"person": deal.contact_id} if deal.contact_id else {})},
        "move_form": MoveForm(initial={"version": deal.version}),
    })
    return render(request, "crm/deal_detail.html", context)


def _form_page(request, form, *, save, template: str, context: dict):
    """Validate, save through the service, and go to the record; or show the form with its errors."""
    if request.method == "POST" and form.is_valid():
        try:
            record = save(form.fields_for_service())
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"Saved {record}.")
            return redirect(record_url(record))
    status = 422 if request.method == "POST" else 200
    return render(request, template, {"form": form, **context}, status=status)


def record_url(record) -> str:
    name = {Company: "crm:company_detail", Person: "crm:person_detail", Deal: "crm:deal_detail"}[type(record)]
    return reverse(name, args=[record.pk])


def _data(request):
    return request.POST if request.method == "POST" else None


def company_create(request):
    form = CompanyForm(_data(request), actor=request.user)
    return _form_page(request, form, template="crm/company_form.html", context={"title": "New company"},
                      save=lambda fields: services.company_create(actor=request.user, **fields))


def company_edit(request, pk: int):
    company = get_object_or_404(Company, pk=pk)
    permissions.ensure_can_edit(request.user, company)
    form = CompanyForm(_data(request), instance=company, actor=request.user)
    return _form_page(request, form, template="crm/company_form.html",
                      context={"title": f"Edit {company.name}", "record": company},
                      save=lambda fields: services.company_update(actor=request.user, company=company, **fields))


def person_create(request):
    initial = {}
    if request.GET.get("company", "").isdigit():
        initial["company"] = int(request.GET["company"])
    form = PersonForm(_data(request), actor=request.user, initial=initial)
    return _form_page(request, form, template="crm/person_form.html", context={"title": "New person"},
                      save=lambda fields: services.person_create(actor=request.user, **fields))


def person_edit(request, pk: int):
    person = get_object_or_404(Person, pk=pk)
    permissions.ensure_can_edit(request.user, person)
    form = PersonForm(_data(request), instance=person, actor=request.user)
    return _form_page(request, form, template="crm/person_form.html",
                      context={"title": f"Edit {person.name}", "record": person},
                      save=lambda fields: services.person_update(actor=request.user, person=person, **fields))


def deal_create(request):
    initial = {}
    for name in ("company", "contact"):
        if request.GET.get(name, "").isdigit():
            initial[name] = int(request.GET[name])
    form = DealForm(_data(request), actor=request.user, initial=initial)
    return _form_page(request, form, template="crm/deal_form.html", context={"title": "New deal"},
                      save=lambda fields: services.deal_create(actor=request.user, **fields))


def deal_edit(request, pk: int):
    deal = get_object_or_404(Deal, pk=pk)
    permissions.ensure_can_edit(request.user, deal)
    form = DealForm(_data(request), instance=deal, actor=request.user)
    return _form_page(request, form, template="crm/deal_form.html",
                      context={"title": f"Edit {deal.title}", "record": deal},
                      save=lambda fields: services.deal_update(actor=request.user, deal=deal, **fields))


def _move_result(request, deal: Deal, *, outcome: str, message: str, status: int, target=None, heads=()):
    """What the board's script gets back from a move: the card, or the dialog that asks for what is missing.

    `heads` are the column headers (count and totals) the board swaps in after the card has moved.
    """
    context = {"deal": deal, "outcome": outcome, "message": message, "target": target, "heads": heads}
    if outcome == "needs":
        context.update(_deal_context(deal))
    return render(request, "crm/_move_result.html", context, status=status)


@require_POST
def deal_move(request, pk: int):
    deal = get_object_or_404(Deal.objects.select_related("stage", "company", "owner"), pk=pk)
    fragment = _is_fragment(request)
    form = MoveForm(request.POST)
    if not form.is_valid():
        message = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        if fragment:
            return _move_result(request, deal, outcome="refused", message=message, status=400)
        messages.error(request, message)
        return redirect(record_url(deal))
    target = form.cleaned_data["stage"]
    left = deal.stage
    try:
        services.deal_move_stage(actor=request.user, deal=deal, stage=target,
                                 override_reason=form.cleaned_data["override_reason"],
                                 lost_reason=form.cleaned_data["lost_reason"],
                                 expected_version=form.cleaned_data["version"])
    except PermissionDenied as exc:
        if not fragment:
            raise
        return _move_result(request, deal, outcome="refused", message=str(exc), status=403)
    except services.StaleDeal as exc:
        fresh = Deal.objects.select_related("stage", "company", "owner").get(pk=deal.pk)
        if fragment:
            # A stale board is behind on more than this deal: every column's figures are refreshed.
            heads = selectors.column_heads(stages=list(fresh.stage.pipeline.stages.all()))
            return _move_result(request, fresh, outcome="stale", message=exc.messages[0], status=409, heads=heads)
        messages.error(request, exc.messages[0])
        return redirect(record_url(deal))
    except ValidationError as exc:
        message = " ".join(exc.messages)
        if fragment:
            return _move_result(request, deal, outcome="needs", message=message, status=422, target=target)
        messages.error(request, message)
        return redirect(record_url(deal))
    moved = Deal.objects.select_related("stage", "company", "owner").get(pk=deal.pk)
    message = f"{moved.title} moved to {moved.stage}."
    if fragment:
        heads = selectors.column_heads(stages=[left, moved.stage])
        return _move_result(request, moved, outcome="moved", message=message, status=200, heads=heads)
    messages.success(request, message)
    return redirect(record_url(deal))


@require_POST
def deal_check(request, pk: int):
    """Tick or untick one exit criterion of the deal's current stage."""
    deal = get_object_or_404(Deal.objects.select_related("stage"), pk=pk)
    criterion = get_object_or_404(ExitCriterion, pk=request.POST.get("criterion") or 0)
    checked = request.POST.get("checked") in {"on", "1", "true"}
    try:
        services.deal_check_criterion(actor=request.user, deal=deal, criterion=criterion, checked=checked)
    except ValidationError as exc:
        if _is_fragment(request):
            return HttpResponse(" ".join(exc.messages), status=422)
        messages.error(request, " ".join(exc.messages))
        return redirect(record_url(deal))
    if _is_fragment(request):
        return render(request, "crm/_criterion.html", {"deal": deal, "criterion": criterion, "checked": checked,
                                                       "editable": True})
    return redirect(record_url(deal))


def _linked(post) -> dict:
    """The person, company and deal a touch or task is for, from the form's hidden fields; 404 on a bad id."""
    link = {}
    for name, model in (("person", Person), ("company", Company), ("deal", Deal)):
        value = (post.get(name) or "").strip()
        if value:
            if not value.isdigit():
                raise Http404(f"No {name} {value!r}.")
            link[name] = get_object_or_404(model, pk=int(value))
    return link


def _back(request, link: dict) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    for name in ("deal", "person", "company"):
        if name in link:
            return record_url(link[name])
    return reverse("crm:today")


@require_POST
def touch_log(request):
    link = _linked(request.POST)
    form = TouchForm(request.POST)
    touch = None
    if form.is_valid():
        data = form.cleaned_data
        happened_at = None
        if data["happened_on"] and data["happened_on"] != timezone.localdate():
            # A date in the past, at noon in the user's zone, so it lands on the day they meant.
            happened_at = timezone.make_aware(datetime.combine(data["happened_on"], time(12)))
        try:
            touch = services.touch_log(actor=request.user, kind=data["kind"], direction=data["direction"],
                                       summary=data["summary"], outcome=data["outcome"],
                                       happened_at=happened_at, **link)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
    if not _is_fragment(request):
        if touch:
            messages.success(request, "Touch logged.")
        else:
            messages.error(request, "The touch was not logged: " + " ".join(
                f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()))
        return redirect(_back(request, link))
    context = {"touch_form": form if touch is None else TouchForm(), "touch": touch, "link": _link_ids(link)}
    if touch is not None:
        gauge_record = link.get("person") or link.get("company") or touch.company
        if gauge_record is not None:
            gauge_record.refresh_from_db(fields=["touch_count", "last_touch_at"])
        context["gauge_record"] = gauge_record
        context["next_step"] = request.POST.get("next_step", "")
    return render(request, "crm/_touch_logged.html", context, status=200 if touch else 422)


def _link_ids(link: dict) -> dict:
    return {name: record.pk for name, record in link.items()}


@require_POST
def task_create(request):
    link = _linked(request.POST)
    form = TaskForm(request.POST)
    task = None
    if form.is_valid():
        try:
            task = services.task_create(actor=request.user, title=form.cleaned_data["title"],
                                        due=form.cleaned_data["due"], **link)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
    if not _is_fragment(request):
        if task:
            messages.success(request, f"Task added: {task.title}.")
        else:
            messages.error(request, "The task was not added: " + " ".join(
                f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()))
        return redirect(_back(request, link))
    return render(request, "crm/_task_added.html",
                  {"task_form": form if task is None else TaskForm(), "task": task, "link": _link_ids(link)},
                  status=200 if task else 422)


@require_POST
def task_toggle(request, pk: int):
    task = get_object_or_404(Task.objects.select_related("owner", "person", "company", "deal"), pk=pk)
    services.task_set_done(actor=request.user, task=task, done=not task.done)
    if _is_fragment(request):
        return render(request, "crm/_task_row.html", {"task": task})
    return redirect(_back(request, {k: getattr(task, k) for k in ("deal", "person", "company") if getattr(task, k)}))

