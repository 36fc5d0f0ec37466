from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from sarv.accounts.models import Department, Location, SupportGroup, SupportGroupMembership, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Sarv", {"fields": ("language", "time_zone", "department", "location", "phone", "employee_number",
                             "job_title")}),
    )
    list_display = ("username", "first_name", "last_name", "department", "is_active", "is_staff")


class MembershipInline(admin.TabularInline):
    model = SupportGroupMembership
    extra = 0


@admin.register(SupportGroup)
class SupportGroupAdmin(admin.ModelAdmin):
    inlines = [MembershipInline]
    list_display = ("name_fa", "name_en", "lead", "is_active")


admin.site.register([Department, Location])
