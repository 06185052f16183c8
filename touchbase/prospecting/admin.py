"""Admin views of the lead framework versions, company fits and qualifiers (for admins; read-mostly).

Framework versions are never edited in place (a change is a new version through the framework
page), and fits are computed, so both are read-only here.
"""

from django.contrib import admin

from .models import CompanyFit, Framework, Qualifier


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["version", "tier_a_min", "tier_b_min", "created_at", "created_by", "note"]
    readonly_fields = ["version", "criteria", "tier_a_min", "tier_b_min", "created_at", "created_by", "note"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CompanyFit)
class CompanyFitAdmin(admin.ModelAdmin):
    list_display = ["company", "tier", "score", "framework", "scored_at"]
    list_filter = ["tier"]
    list_select_related = ["company", "framework"]
    search_fields = ["company__name", "company__domain"]
    readonly_fields = ["company", "framework", "score", "tier", "met", "missed", "scored_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Qualifier)
class QualifierAdmin(admin.ModelAdmin):
    list_display = ["company", "willing_to_be_measured"]
    list_filter = ["willing_to_be_measured"]
    list_select_related = ["company"]
    raw_id_fields = ["company"]
