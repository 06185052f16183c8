"""Report pages: the period report, its present view and its PDF, CSV and JSON downloads.

A seller's report is drawn in the seller's time zone, the company's in the
viewer's. Everyone sees everyone's numbers: the leaderboard is open.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from touchbase.accounts.models import zone_of

from . import exports, selectors, services
from .forms import TargetForm
from .measures import Scope
from .models import Target
from .periods import PeriodError, PeriodKind, current_period, parse_period


class NoSuchReport(Exception):
    """A period or seller in the address that names nothing; the message says why."""


def _problem(request, message: str, *, status: int = 404, heading: str = "There is no such report"):
    return render(request, "metrics/problem.html", {"message": message, "heading": heading}, status=status)


FORMATS = {"csv": "text/csv", "json": "application/json", "pdf": "application/pdf"}
# The activity figures, one screen of the present view; the results (deals, money, rates) are the next.
LEADING = {"touches", "meetings", "new_conversations", "people_touched", "people_enrolled", "a_tier_coverage"}
# The report's tables, in the order of Report.tables(), with the words the download menu shows.
TABLES = {"headline": "The numbers", "touches_by_kind": "Touches by kind", "stages": "Stages",
          "forecast": "Forecast deals", "leaderboard": "Leaderboard", "moved": "Deals moved",
          "slipped": "Deals slipped", "quiet": "Deals gone quiet"}


@require_GET
def latest(request):
    period = current_period(PeriodKind.WEEK, timezone.now(), zone_of(user=request.user))
    return redirect("metrics:report", kind="weekly", name=period.name)


@require_GET
def report(request, kind: str, name: str):
    try:
        seller = services.seller_from(request.GET.get("seller", ""))
        period_kind = PeriodKind.from_adjective(kind)
        period = parse_period(period_kind, name, zone_of(user=seller or request.user))
    except (PeriodError, services.NotASeller) as exc:
        return _problem(request, str(exc))
    wanted, table = request.GET.get("format", ""), request.GET.get("table", "")
    if wanted and wanted not in FORMATS:
        return _problem(request, f"{wanted!r} is not a format: use csv, json or pdf, or leave it out for the page.",
                        status=400, heading="There is no such download")
    scope = Scope.of(seller) if seller else Scope.company()
    built = selectors.report_build(period, scope)
    if wanted:
        return _download(request, built, wanted, table)
    context = {"report": built, "links": _links(period, seller)}
    if request.GET.get("present", "") not in ("", "0", "false", "no", "off"):
        context["leading_lines"] = [line for line in built.lines if line.key in LEADING]
        context["lagging_lines"] = [line for line in built.lines if line.key not in LEADING]
        return render(request, "metrics/present.html", context)
    return render(request, "metrics/report.html", {**context, "sellers": selectors.sellers()})


def _download(request, built, wanted: str, table: str):
    try:
        if wanted == "pdf":
            body = exports.to_pdf(built)
        else:
            body = exports.to_csv(built, table) if wanted == "csv" else exports.to_json(built, table)
    except exports.NoSuchTable as exc:
        return _problem(request, str(exc), status=400, heading="There is no such table")
    except exports.PdfUnavailable as exc:
        return _problem(request, str(exc), status=503, heading="The PDF cannot be printed here")
    response = HttpResponse(body, content_type=FORMATS[wanted])
    name = f"{_filename(built)}-{table}" if table and wanted != "pdf" else _filename(built)
    response["Content-Disposition"] = f'attachment; filename="{name}.{wanted}"'
    return response


def _filename(built) -> str:
    who = built.scope.seller.email.split("@")[0] if built.scope.seller else "company"
    return slugify(f"touchbase-{built.period.kind.adjective}-{built.period.name}-{who}")


def _links(period, seller) -> dict:
    def url(p=period, kind=None, **extra):
        kind = kind or p.kind.adjective
        query = {**({"seller": seller.pk} if seller else {}), **extra}
        path = reverse("metrics:report", kwargs={"kind": kind, "name": p.name})
        return f"{path}?{urlencode(query)}" if query else path

    now = timezone.now()
    return {
        "tables": [{"label": label, "csv": url(format="csv", table=name), "json": url(format="json", table=name)}
                   for name, label in TABLES.items()],
        "page": url(), "previous": url(period.previous()), "next": url(period.next()),
        "present": url(present=1), "csv": url(format="csv"), "json": url(format="json"), "pdf": url(format="pdf"),
        **{k.adjective: url(current_period(k, now, period.zone)) for k in PeriodKind},
    }


@require_http_methods(["GET", "POST"])
def targets(request):
    """Every target, in the open; managers set new ones here."""
    form = TargetForm(request.POST or None, initial={"starts_on": timezone.localdate(), "ramp": True})
    if request.method == "POST":
        if not request.user.is_manager:
            raise PermissionDenied("Only a manager sets targets.")
        if form.is_valid():
            try:
                target = services.target_set(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, f"Target set: {target}.")
                return redirect("metrics:targets")
    rows = Target.objects.select_related("seller", "set_by").order_by("ends_on", "measure", "seller__first_name",
                                                                       "-starts_on")
    return render(request, "metrics/targets.html", {"form": form, "targets": rows},
                  status=400 if form.errors else 200)


@require_POST
def target_end(request, pk: int):
    target = get_object_or_404(Target, pk=pk)
    try:
        services.target_end(actor=request.user, target=target, last_day=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Target ended today: {target}.")
    return redirect("metrics:targets")
