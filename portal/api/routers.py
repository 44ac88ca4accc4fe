"""The one /api/v1/ router; each app registers its viewsets from its own api.py."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
