from django.contrib import admin

from .models import Category, ProductModel, Unit


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "warranty_months", "warranty_starts", "return_policy_class")
    list_filter = ("return_policy_class", "warranty_starts")
    search_fields = ("code", "name")


@admin.register(ProductModel)
class ProductModelAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "needs_installation", "bulky", "list_price")
    list_filter = ("category", "needs_installation", "bulky")
    search_fields = ("code", "name", "sku")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("serial_number", "product_model", "customer", "purchase_date", "price_paid")
    search_fields = ("serial_number", "invoice_number", "customer__name")
    raw_id_fields = ("customer",)
    readonly_fields = ("created_at", "created_by")
