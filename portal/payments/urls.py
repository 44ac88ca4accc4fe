"""/payments/…: the pay page, its return page and Stripe's webhook."""

from django.urls import path

from portal.payments import views

app_name = "payments"
urlpatterns = [
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("<str:public_id>/", views.pay, name="pay"),
    path("<str:public_id>/card/", views.pay_card, name="pay_card"),
    path("<str:public_id>/retry/", views.retry, name="retry"),
    path("<str:public_id>/return/", views.payment_return, name="return"),
    path("<str:public_id>/invoice/", views.invoice, name="invoice"),
]
