from django.contrib import admin

from alerts.models import Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Readers' subscriptions, to read: readers manage their own by their links."""

    list_display = ["email", "follows", "topic", "frequency", "language", "created_at", "confirmed_at"]
    list_filter = ["follows", "frequency", "language"]
    search_fields = ["email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Every message sent or tried, so staff see when the mail server is failing."""

    list_display = ["subscription", "kind", "status", "attempts", "updated_at", "last_error"]
    list_filter = ["status", "kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
