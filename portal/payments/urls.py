"""/payments/…: the pay page, its return page and Stripe's webhook."""

from django.urls import path

from portal.core.secret_links import secret_link
from portal.payments import views

app_name = "payments"
urlpatterns = [
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("<str:public_id>/", secret_link(views.pay), name="pay"),
    path("<str:public_id>/card/", secret_link(views.pay_card), name="pay_card"),
    path("<str:public_id>/retry/", secret_link(views.retry), name="retry"),
    path("<str:public_id>/return/", secret_link(views.payment_return), name="return"),
    path("<str:public_id>/invoice/", secret_link(views.invoice), name="invoice"),
]
