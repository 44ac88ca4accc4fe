"""A URLconf where `health` lives elsewhere: tests/core/test_reverse.py switches to it."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("somewhere-else/health/", lambda request: HttpResponse("ok"), name="health")]
