from django.contrib import admin

from .models import Station, Technician


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "phone")
    list_filter = ("kind",)
    filter_horizontal = ("zones",)


@admin.register(Technician)
class TechnicianAdmin(admin.ModelAdmin):
    list_display = ("user", "station", "phone", "active")
    list_filter = ("station", "active")
    filter_horizontal = ("zones",)
