"""touchbase outbox [--json] [--state S] [--limit N]: the outbox by state, held messages with the reason."""

import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from touchbase.outreach.models import OutboxMessage, OutboxState
from touchbase.outreach.selectors import HELD, outbox_counts, outbox_state

STATES = [OutboxState.DRAFT, OutboxState.QUEUED, HELD, OutboxState.SENDING, OutboxState.SENT, OutboxState.FAILED,
          OutboxState.CANCELLED, OutboxState.UNSURE]


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


class Command(BaseCommand):
    help = "Counts and rows of the outbox by state: queued, held (and why), sending, sent, failed."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the counts and rows as JSON.")
        parser.add_argument("--state", choices=[str(s) for s in STATES], help="Only rows in this state.")
        parser.add_argument("--limit", type=int, default=50, metavar="N", help="Newest N rows (default 50).")

    def handle(self, *args, **opts):
        now = timezone.now()
        rows = OutboxMessage.objects.select_related("enrollment__sequence", "step", "mailbox").order_by("-created_at")
        state = opts["state"]
        if state == HELD or state == OutboxState.QUEUED:
            rows = rows.filter(state=OutboxState.QUEUED)
        elif state:
            rows = rows.filter(state=state)
        picked = []
        for message in rows.iterator(chunk_size=500):
            shown = outbox_state(message, now)
            if state and shown != state:
                continue
            picked.append((message, shown))
            if len(picked) >= max(opts["limit"], 0):
                break
        counts = outbox_counts(now)
        if opts["json"]:
            self.stdout.write(json.dumps({"counts": counts, "messages": [{
                "id": m.pk, "state": shown, "mailbox": m.mailbox.email, "to": m.to_email, "subject": m.subject,
                "sequence": m.enrollment.sequence.name, "step": m.step.position, "message_id": m.message_id,
                "held_reason": m.held_reason, "not_before": _when(m.not_before), "attempts": m.attempts,
                "error": m.error, "sent_at": _when(m.sent_at), "created_at": _when(m.created_at),
            } for m, shown in picked]}, indent=2))
            return
        self.stdout.write("  ".join(f"{name} {n}" for name, n in counts.items()))
        for m, shown in picked:
            why = ""
            if shown == HELD:
                why = m.held_reason or f"not before {m.not_before:%Y-%m-%d %H:%M} UTC"
            elif shown == OutboxState.SENT:
                why = f"sent {m.sent_at:%Y-%m-%d %H:%M} UTC"
            elif m.error:
                why = m.error
            self.stdout.write(f"{m.pk}\t{shown}\t{m.to_email}\t{m.subject}\t{m.enrollment.sequence.name} step "
                              f"{m.step.position}\t{why}")
