"""Outreach pages: the mailbox, sequences and their steps, enrollments, the outbox, and the unsubscribe link.

Views stay thin: they read the form, call a service and render; the services
check who may change what. The one public page is the unsubscribe link;
every other page needs a login (the site's middleware).
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from touchbase.crm import selectors as crm_selectors
from touchbase.crm.models import Person

from . import drips, schedule, selectors, services
from .forms import (
    DripForm,
    DripPickForm,
    DripPieceForm,
    DripSettingsForm,
    EnrollForm,
    MailboxForm,
    PieceForm,
    SequenceForm,
    StepForm,
    TierEnrollForm,
)
from .models import (
    Drip,
    Enrollment,
    EnrollmentStatus,
    Mailbox,
    OutboxMessage,
    OutboxState,
    Piece,
    Sequence,
    Step,
)


def _attempt(request, call, said="") -> bool:
    """Run a POST's one service call and say how it went: its refusal (a ValidationError) as an error
    message, else `said` (a string, or a function called after the service) as a success. True when it went."""
    try:
        call()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    if said:
        messages.success(request, said() if callable(said) else said)
    return True


def _say_enrolled(request, result, summary: str, refused: str = "Not enrolled") -> None:
    """An enroll's outcome: the summary (a warning when nobody got in), then each refusal with its reason."""
    (messages.success if result.enrolled else messages.warning)(request, summary)
    for _, reason in result.refused:
        messages.error(request, f"{refused}: {reason}")


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _run_counts() -> dict:
    """Annotations for a list of sequences or drips (both reach their runs as `enrollments`): running and replied."""
    return {
        "running": Count("enrollments", filter=Q(enrollments__status__in=services.RUNNING), distinct=True),
        "replied": Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.REPLIED), distinct=True),
    }


@require_GET
def home(request):
    archived = request.GET.get("archived") == "1"
    sequences = Sequence.objects.filter(archived=archived, drip__isnull=True).select_related("owner").annotate(
        steps_count=Count("steps", distinct=True),
        **_run_counts(),
    )
    return render(request, "outreach/home.html", {
        "sequences": sequences, "mailbox": services.mailbox_for(request.user), "archived": archived,
    })


def _mailbox_owner(request):
    """Whose mailboxes the page shows: your own; a manager or admin picks a seller with `?owner=<id>`."""
    chosen = request.GET.get("owner", "")
    if request.user.is_manager and chosen.isdigit():
        return get_object_or_404(get_user_model(), pk=chosen, is_active=True)
    return request.user


def _visible_mailbox(request, pk: int) -> Mailbox:
    """Another seller's mailbox is not found for you (its address is not yours to learn); managers see all."""
    mailbox = get_object_or_404(Mailbox.objects.select_related("owner"), pk=pk)
    if not services.can_see_mailbox(request.user, mailbox):
        raise Http404("No such mailbox.")
    return mailbox


def _mailbox_list_page(request, owner, form):
    mailboxes = services.mailboxes_of(owner)
    return render(request, "outreach/mailbox.html", {
        "owner": owner, "form": form, "can_add": owner.pk == request.user.pk,
        "sellers": get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "email")
        if request.user.is_manager else [],
        "rows": [(m, services.mailbox_users(m)[0], services.can_change_mailbox(request.user, m)) for m in mailboxes],
    })


@require_http_methods(["GET", "POST"])
def mailbox_list(request):
    """A seller's mailboxes with their state, and a form to connect another (a POST here adds one)."""
    if request.method == "POST":
        return mailbox_add(request)
    return _mailbox_list_page(request, _mailbox_owner(request), MailboxForm.for_mailbox(None))


@require_http_methods(["GET", "POST"])
def mailbox_add(request):
    form = MailboxForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        known = Mailbox.objects.filter(email=form.cleaned_data["email"].strip().lower()).exists()
        try:
            if known:  # adding never rewrites a mailbox: the address is someone's already (perhaps yours)
                raise ValidationError({"email": "This address is already connected; edit it in the list."})
            mailbox = services.mailbox_save(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"{mailbox.email} connected. Test the connection below.")
            return redirect("outreach:mailbox_edit", pk=mailbox.pk)
    return _mailbox_list_page(request, request.user, form)


@require_http_methods(["GET", "POST"])
def mailbox_edit(request, pk: int):
    mailbox = _visible_mailbox(request, pk)
    form = MailboxForm.for_mailbox(mailbox, request.POST or None)
    if request.method == "POST":
        if not services.can_change_mailbox(request.user, mailbox):
            raise PermissionDenied(f"{mailbox.email} is {mailbox.owner}'s; only they or an admin can change it.")
        if form.is_valid():
            try:
                services.mailbox_save(actor=request.user, mailbox=mailbox, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, f"{mailbox.email} saved. Test the connection below.")
                return redirect("outreach:mailbox_edit", pk=mailbox.pk)
        mailbox.refresh_from_db()
    running, past = services.mailbox_users(mailbox)
    return render(request, "outreach/mailbox_edit.html", {
        "form": form, "mailbox": mailbox, "running": running, "past": past,
        "can_change": services.can_change_mailbox(request.user, mailbox),
    })


def _render_checks(request, mailbox):
    checks = services.mailbox_test(mailbox=mailbox)
    return render(request, "outreach/_mailbox_checks.html", {"checks": checks, "mailbox": mailbox})


@require_POST
def mailbox_check(request):
    """The first mailbox's test, from before a seller had several; the list tests each one at its own URL."""
    mailbox = services.mailbox_for(request.user)
    if mailbox is None:
        raise Http404("Connect a mailbox first.")
    return _render_checks(request, mailbox)


@require_POST
def mailbox_test(request, pk: int):
    return _render_checks(request, _visible_mailbox(request, pk))


@require_POST
def mailbox_delete(request, pk: int):
    mailbox = _visible_mailbox(request, pk)
    if not _attempt(request, lambda: services.mailbox_delete(actor=request.user, mailbox=mailbox),
                    f"{mailbox.email} is disconnected."):
        return redirect("outreach:mailbox_edit", pk=mailbox.pk)
    response = redirect("outreach:mailbox")
    if mailbox.owner_id != request.user.pk:
        response["Location"] += f"?owner={mailbox.owner_id}"
    return response


@require_POST
def mailbox_resume(request, pk: int):
    """The banner's button: send again from a mailbox paused for bounces (its owner or a manager)."""
    mailbox = get_object_or_404(Mailbox.objects.select_related("owner"), pk=pk)
    _attempt(request, lambda: services.mailbox_resume(actor=request.user, mailbox=mailbox),
             f"{mailbox.email} sends again. Held emails go out within the caps.")
    return redirect("outreach:home")


@require_http_methods(["GET", "POST"])
def sequence_create(request):
    form = SequenceForm(request.POST or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            sequence = services.sequence_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("outreach:sequence", pk=sequence.pk)
    return render(request, "outreach/sequence_form.html", {"form": form})


def _preview(request, sequence, steps):
    """When each step would go for a sample person enrolled now, in their zone (`?sample=<person id>`)."""
    samples = list(Person.objects.filter(owner=sequence.owner_id).exclude(email="")
                   .select_related("company").order_by("last_name", "first_name")[:100])
    chosen = next((p for p in samples if str(p.pk) == request.GET.get("sample")), samples[0] if samples else None)
    tz = services.recipient_zone(chosen or Person(), sequence.owner)  # nobody to sample: the owner's zone
    try:
        moments = schedule.preview(timezone.now(), [s.delay_days for s in steps], tz, sequence.window)
    except ValueError:  # a window that never opens: the page says so instead of failing
        moments = []
    return {"samples": samples, "sample": chosen, "zone": tz.key,
            "rows": [(step, moment.astimezone(tz)) for step, moment in zip(steps, moments, strict=False)]}


def _with_status_lines(enrollments) -> list:
    """(enrollment, its status line) pairs for `_enrollment_row.html`, as the person page's tag passes them."""
    return [(e, services.enrollment_status_line(e)) for e in enrollments]


def _sequence_page(request, sequence, step_form=None, status=200):
    steps = list(sequence.steps.all())
    enrollments = list(sequence.enrollments.select_related("person__company", "owner").order_by("-created_at")[:200])
    return render(request, "outreach/sequence.html", {
        "sequence": sequence, "steps": steps, "enrollments": _with_status_lines(enrollments),
        "step_form": step_form or StepForm(), "can_edit": services.can_edit_sequence(request.user, sequence),
        "tier_form": TierEnrollForm(), "figures": selectors.sequence_figures(sequence),
        "preview": _preview(request, sequence, steps),
        "sends_from": services.sequence_mailbox(sequence, sequence.owner),
        "mailboxes": list(Mailbox.objects.filter(owner=sequence.owner_id).order_by("created_at")),
    }, status=status)


@require_GET
def sequence_detail(request, pk: int):
    sequence = get_object_or_404(Sequence.objects.select_related("owner"), pk=pk)
    if hasattr(sequence, "drip"):
        return redirect("outreach:drip", pk=sequence.drip.pk)
    return _sequence_page(request, sequence)


@require_POST
def sequence_enroll_tier(request, pk: int):
    sequence = get_object_or_404(Sequence, pk=pk)
    form = TierEnrollForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick a tier: A, B or C.")
        return redirect("outreach:sequence", pk=sequence.pk)
    try:
        result = services.sequence_enroll_tier(actor=request.user, sequence=sequence, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        _say_enrolled(request, result, result.summary())
    return redirect("outreach:sequence", pk=sequence.pk)


@require_POST
def sequence_archive(request, pk: int):
    sequence = get_object_or_404(Sequence.objects.select_related("owner"), pk=pk)
    archived = request.POST.get("archived") == "1"
    _attempt(request, lambda: services.sequence_archive(actor=request.user, sequence=sequence, archived=archived),
             f"“{sequence}” archived: nobody new is enrolled; people in it go on to the end."
             if archived else f"“{sequence}” is back.")
    return redirect("outreach:sequence", pk=sequence.pk)


PICK_LIMIT = 100


@require_http_methods(["GET", "POST"])
def sequence_enroll_people(request, pk: int):
    """Pick people from a list (search, tier, yours or everyone's) and enroll the ticked ones at once."""
    sequence = get_object_or_404(Sequence.objects.select_related("owner"), pk=pk)
    if hasattr(sequence, "drip"):
        return redirect("outreach:drip", pk=sequence.drip.pk)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("person") if i.isdigit()][:1000]
        if not ids:
            messages.error(request, "Tick at least one person.")
            return redirect("outreach:sequence_enroll_people", pk=sequence.pk)
        people = Person.objects.filter(pk__in=ids).select_related("company", "owner").order_by("last_name",
                                                                                                 "first_name")
        try:
            result = services.sequence_enroll(actor=request.user, sequence=sequence, people=people)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            _say_enrolled(request, result, f"{len(result.enrolled)} enrolled in “{sequence}”, "
                                           f"{len(result.refused)} not.")
        return redirect("outreach:sequence", pk=sequence.pk)
    get = request.GET
    owner = get.get("owner", "me")
    people, _ = crm_selectors.person_list(user=request.user, q=get.get("q", ""), owner=owner)
    tier = get.get("tier", "")
    if tier in ("A", "B", "C"):
        people = people.filter(company__fit__tier=tier)
    return render(request, "outreach/enroll_people.html", {
        "sequence": sequence, "people": list(people[:PICK_LIMIT]), "limit": PICK_LIMIT, "q": get.get("q", ""),
        "owner": owner, "tier": tier,
    })


@require_POST
def sequence_mailbox(request, pk: int):
    """The sequence page's "Sends from": one of the owner's mailboxes, or empty for the owner's first."""
    sequence = get_object_or_404(Sequence.objects.select_related("owner"), pk=pk)
    chosen = request.POST.get("mailbox", "")
    mailbox = Mailbox.objects.filter(pk=chosen).first() if chosen.isdigit() else None
    if chosen and mailbox is None:
        messages.error(request, "That mailbox is no longer connected; pick another.")
        return redirect("outreach:sequence", pk=sequence.pk)
    _attempt(request, lambda: services.sequence_set_mailbox(actor=request.user, sequence=sequence, mailbox=mailbox),
             lambda: f"“{sequence}” sends from "
                     f"{services.sequence_mailbox(sequence, sequence.owner) or 'its owner’s mailbox'}.")
    return redirect("outreach:sequence", pk=sequence.pk)


@require_POST
def sequence_auto_enroll(request, pk: int):
    sequence = get_object_or_404(Sequence.objects.select_related("owner"), pk=pk)
    on = request.POST.get("on") == "1"
    _attempt(request, lambda: services.sequence_set_auto_enroll(actor=request.user, sequence=sequence, on=on),
             f"New A-tier key contacts of {sequence.owner} now go into “{sequence}” by themselves."
             if on else f"“{sequence}” no longer enrolls anyone by itself.")
    return redirect("outreach:sequence", pk=sequence.pk)


@require_POST
def step_add(request, pk: int):
    sequence = get_object_or_404(Sequence, pk=pk)
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            step = services.step_save(actor=request.user, sequence=sequence, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if step.coach_blocked:
                messages.warning(request, f"Step {step.position} saved, but the coach holds it until its errors "
                                          "are fixed.")
            return redirect("outreach:sequence", pk=sequence.pk)
    return _sequence_page(request, sequence, step_form=form, status=400)


@require_http_methods(["GET", "POST"])
def step_edit(request, pk: int):
    step = get_object_or_404(Step.objects.select_related("sequence"), pk=pk)
    initial = {f: getattr(step, f) for f in StepForm.base_fields}
    form = StepForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.step_save(actor=request.user, sequence=step.sequence, step=step, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("outreach:sequence", pk=step.sequence_id)
    return render(request, "outreach/step_form.html", {"form": form, "step": step})


@require_POST
def step_delete(request, pk: int):
    step = get_object_or_404(Step.objects.select_related("sequence"), pk=pk)
    if not _attempt(request, lambda: services.step_delete(actor=request.user, step=step),
                    f"Step {step.position} taken out."):
        return redirect("outreach:step_edit", pk=step.pk)
    return redirect("outreach:sequence", pk=step.sequence_id)


@require_POST
def person_enroll(request, pk: int):
    person = get_object_or_404(Person, pk=pk)
    form = EnrollForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick a sequence.")
        return redirect("crm:person_detail", pk=person.pk)
    try:
        result = services.sequence_enroll(actor=request.user, sequence=form.cleaned_data["sequence"],
                                          people=[person])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        for _, reason in result.refused:
            messages.error(request, f"Not enrolled: {reason}")
        if result.enrolled:
            messages.success(request, f"{person.name} is in “{form.cleaned_data['sequence']}”.")
    return redirect("crm:person_detail", pk=person.pk)


ENROLLMENT_ACTIONS = {"stop": services.enrollment_stop, "pause": services.enrollment_pause,
                      "resume": services.enrollment_resume}


@require_POST
def enrollment_action(request, pk: int, action: str):
    enrollment = get_object_or_404(Enrollment.objects.select_related("person", "sequence"), pk=pk)
    if action not in ENROLLMENT_ACTIONS:
        raise Http404("No such action.")
    _attempt(request, lambda: ENROLLMENT_ACTIONS[action](actor=request.user, enrollment=enrollment))
    back = request.POST.get("back") == "person"
    return redirect("crm:person_detail", pk=enrollment.person_id) if back else \
        redirect("outreach:sequence", pk=enrollment.sequence_id)


@require_GET
def outbox(request):
    state, now = request.GET.get("state", ""), timezone.now()
    rows = OutboxMessage.objects.select_related("enrollment__person", "enrollment__sequence", "step").order_by(
        "-created_at")
    waiting = Q(state=OutboxState.QUEUED) & (~Q(held_reason="") | Q(not_before__gt=now))
    if state == selectors.HELD:
        rows = rows.filter(waiting)
    elif state in OutboxState.values:
        rows = rows.filter(state=state)
    counts = selectors.outbox_counts(now)
    # The page's "Queued" is every queued message, the held ones among them listed apart as well.
    counts[OutboxState.QUEUED] += counts[selectors.HELD]
    labels = dict(OutboxState.choices) | {selectors.HELD: "of which held (caps, window, paused mailbox)"}
    return render(request, "outreach/outbox.html", {
        "rows": rows[:200], "state": state, "states": [(s, labels[s], n) for s, n in counts.items()],
    })


@require_POST
def outbox_decide(request, pk: int, decision: str):
    message = get_object_or_404(OutboxMessage.objects.select_related("enrollment", "step"), pk=pk)
    try:
        if decision == "send":
            services.outbox_send_draft(actor=request.user, message=message)
        elif decision in ("went", "resend"):
            services.outbox_confirm(actor=request.user, message=message, went=decision == "went")
        else:
            raise Http404("No such decision.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("outreach:outbox")


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


# Drips and the library of pieces


@require_GET
def piece_list(request):
    pieces = Piece.objects.select_related("owner").annotate(drips_count=Count("steps", distinct=True))
    return render(request, "outreach/drip_pieces.html", {"pieces": pieces})


@require_http_methods(["GET", "POST"])
def piece_edit(request, pk: int | None = None):
    piece = get_object_or_404(Piece, pk=pk) if pk else None
    form = PieceForm(request.POST or None, instance=piece)
    if request.method == "POST" and form.is_valid():
        try:
            saved = drips.piece_save(actor=request.user, piece=piece, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if saved.coach_blocked:
                messages.warning(request, f"“{saved}” saved, but the coach holds it until its errors are fixed.")
            elif saved.has_ask:
                messages.warning(request, f"“{saved}” saved. The coach found an ask: a drip piece works best "
                                          "when it only gives.")
            return redirect("outreach:piece", pk=saved.pk)
    return render(request, "outreach/drip_piece_form.html", {"form": form, "piece": piece},
                  status=400 if form.errors else 200)


@require_GET
def drip_list(request):
    drip_rows = Drip.objects.filter(archived=False).select_related("owner").annotate(
        pieces_count=Count("sequence__steps", distinct=True),
        **_run_counts(),
    )
    return render(request, "outreach/drip_list.html", {"drips": drip_rows})


@require_http_methods(["GET", "POST"])
def drip_create(request):
    form = DripForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            drip = drips.drip_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("outreach:drip", pk=drip.pk)
    return render(request, "outreach/drip_form.html", {"form": form}, status=400 if form.errors else 200)


def _drip_page(request, drip: Drip, status: int = 200):
    steps = list(drip.sequence.steps.select_related("piece").order_by("position"))
    enrollments = list(drip.enrollments.select_related("person__company").order_by("-created_at")[:200])
    audience = list(drips.drip_audience(drip)[:100])
    enrolled = set(drip.enrollments.values_list("person_id", flat=True))
    return render(request, "outreach/drip.html", {
        "drip": drip, "steps": steps, "enrollments": _with_status_lines(enrollments),
        "audience": [(p, p.pk in enrolled) for p in audience], "counts": drips.drip_status_counts(drip),
        "can_edit": drips.can_edit_drip(request.user, drip), "mailbox": services.mailbox_for(drip.owner),
        "piece_form": DripPieceForm(), "pick_form": DripPickForm(),
        "settings_form": DripSettingsForm(initial={name: getattr(drip, name) for name in DripSettingsForm.base_fields}),
    }, status=status)


@require_GET
def drip_detail(request, pk: int):
    return _drip_page(request, get_object_or_404(Drip.objects.select_related("owner", "sequence"), pk=pk))


def _drip_action(request, pk: int, form_class, act) -> object:
    """Read a small form on the drip page, call the service, say what happened, and go back to the page."""
    drip = get_object_or_404(Drip.objects.select_related("owner", "sequence"), pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("outreach:drip", pk=drip.pk)
    try:
        said = act(drip, form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if said:
            messages.success(request, said)
    return redirect("outreach:drip", pk=drip.pk)


@require_POST
def drip_add_piece(request, pk: int):
    def act(drip, data):
        drips.drip_add_piece(actor=request.user, drip=drip, piece=data["piece"])
        return f"“{data['piece']}” added to “{drip}”."
    return _drip_action(request, pk, DripPieceForm, act)


@require_POST
def drip_settings(request, pk: int):
    def act(drip, data):
        drips.drip_update(actor=request.user, drip=drip, **data)
        return "Saved."
    return _drip_action(request, pk, DripSettingsForm, act)


@require_POST
def drip_pick(request, pk: int):
    def act(drip, data):
        person = Person.objects.filter(email__iexact=data["email"]).first()
        if person is None:
            raise ValidationError(f"Nobody has the email {data['email']}.")
        drips.drip_pick(actor=request.user, drip=drip, people=[person])
        return f"{person.name} is on the list of “{drip}”."
    return _drip_action(request, pk, DripPickForm, act)


@require_POST
def drip_start(request, pk: int):
    drip = get_object_or_404(Drip.objects.select_related("owner", "sequence"), pk=pk)
    try:
        result = drips.drip_enroll(actor=request.user, drip=drip)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        _say_enrolled(request, result, f"{len(result.enrolled)} started on “{drip}”, {len(result.refused)} not.",
                      refused="Not started")
    return redirect("outreach:drip", pk=drip.pk)
