"""/payments/…: the pay page, its return page and Stripe's webhook arrive with the payments issue."""

app_name = "payments"
urlpatterns: list = []
