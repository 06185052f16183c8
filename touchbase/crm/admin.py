"""The Django admin for admins: every CRM record, with pipelines edited as stages and their exit criteria.

Foreign keys to large tables are raw-id or autocomplete fields, so an admin page
never renders a select of 100,000 companies.
"""

from django.contrib import admin

from .models import (
    Company,
    CriterionCheck,
    Deal,
    ExitCriterion,
    Person,
    Pipeline,
    Stage,
    StageChange,
    Task,
    Touch,
)


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ["order", "name", "kind", "probability"]
    ordering = ["order"]
    show_change_link = True  # a stage's own page edits its exit criteria


class ExitCriterionInline(admin.TabularInline):
    model = ExitCriterion
    extra = 1
    fields = ["order", "name"]
    ordering = ["order", "id"]


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default"]
    inlines = [StageInline]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "pipeline", "order", "kind", "probability"]
    list_filter = ["pipeline", "kind"]
    list_select_related = ["pipeline"]
    ordering = ["pipeline", "order"]
    inlines = [ExitCriterionInline]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "industry", "country", "owner", "touch_count", "last_touch_at"]
    list_filter = ["owner", "source", "country"]
    list_select_related = ["owner"]
    search_fields = ["name", "domain"]
    readonly_fields = ["public_id", "touch_count", "last_touch_at", "created_at", "updated_at"]
    show_full_result_count = False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "title", "company", "owner", "touch_count", "opted_out"]
    list_filter = ["owner", "opted_out", "source"]
    list_select_related = ["company", "owner"]
    search_fields = ["last_name", "first_name", "email"]
    autocomplete_fields = ["company"]
    readonly_fields = ["public_id", "touch_count", "last_touch_at", "created_at", "updated_at"]
    show_full_result_count = False


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    fields = ["changed_at", "from_stage", "to_stage", "changed_by", "override_reason"]
    readonly_fields = fields
    can_delete = False
    ordering = ["-changed_at"]

    def has_add_permission(self, request, obj=None):
        return False  # history is written by deal_move_stage only


class CriterionCheckInline(admin.TabularInline):
    model = CriterionCheck
    extra = 0
    fields = ["criterion", "checked_by", "checked_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["title", "company", "stage", "amount_minor", "currency", "owner", "expected_close"]
    list_filter = ["pipeline", "stage", "owner"]
    list_select_related = ["company", "stage", "owner"]
    search_fields = ["title", "company__name"]
    autocomplete_fields = ["company", "contact"]
    # The stage moves through deal_move_stage (exit criteria, history), not by editing the row.
    readonly_fields = ["public_id", "pipeline", "stage", "stage_entered_at", "closed_at", "version",
                       "created_at", "updated_at"]
    inlines = [CriterionCheckInline, StageChangeInline]


@admin.register(Touch)
class TouchAdmin(admin.ModelAdmin):
    list_display = ["happened_at", "kind", "direction", "person", "company", "by", "source"]
    list_filter = ["kind", "direction", "source"]
    list_select_related = ["person", "company", "by"]
    raw_id_fields = ["person", "company", "deal"]
    date_hierarchy = "happened_at"
    show_full_result_count = False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "due", "done"]
    list_filter = ["done", "owner"]
    list_select_related = ["owner"]
    search_fields = ["title"]
    raw_id_fields = ["person", "company", "deal"]
