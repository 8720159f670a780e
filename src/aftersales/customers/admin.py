from django.contrib import admin

from .models import Address, Contact, Customer, CustomerPhone, District, Zone


class DistrictInline(admin.TabularInline):
    model = District
    extra = 1


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    inlines = [DistrictInline]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("province", "city", "district", "zone")
    list_filter = ("zone", "province")
    search_fields = ("province", "city", "district")


class PhoneInline(admin.TabularInline):
    model = CustomerPhone
    extra = 0
    readonly_fields = ("digits", "last4")


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "tier", "completeness", "created_at")
    list_filter = ("kind", "tier")
    search_fields = ("name", "phones__digits")
    inlines = [PhoneInline, AddressInline, ContactInline]
    readonly_fields = ("completeness", "created_at", "updated_at", "created_by")
