"""Outreach in the Django admin, for admins: the records as they are, passwords never shown."""

from django.contrib import admin

from .models import Bounce, Drip, Enrollment, InboundMessage, Mailbox, OutboxMessage, Piece, Sequence, Step


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["position", "kind", "delay_days", "subject", "coach_blocked"]
    readonly_fields = ["coach_blocked"]


@admin.register(Sequence)
class SequenceAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "mailbox", "window_start", "window_end", "archived"]
    inlines = [StepInline]


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ["email", "owner", "smtp_host", "imap_host", "paused_reason", "imap_error"]
    exclude = ["password_encrypted"]
    readonly_fields = ["imap_uidvalidity", "imap_last_uid", "imap_polled_at", "imap_error"]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["person", "sequence", "owner", "status", "next_position", "due_at", "held_reason"]
    list_filter = ["status", "sequence"]
    raw_id_fields = ["person"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["to_email", "subject", "state", "not_before", "sent_at", "held_reason"]
    list_filter = ["state"]
    raw_id_fields = ["enrollment", "touch"]


admin.site.register(InboundMessage)
admin.site.register(Bounce)


@admin.register(Piece)
class PieceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "subject", "owner", "coach_blocked"]
    list_filter = ["kind", "coach_blocked"]
    readonly_fields = ["coach_blocked"]


@admin.register(Drip)
class DripAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "tier", "every_days", "archived"]
    raw_id_fields = ["people"]
