"""The one list of industries: member organisations, applications and survey answers share it.

A neutral module, so `members` and `portal.adoption` both import it without importing each other.
"""

from django.db import models


class Industry(models.TextChoices):
    CLOUD = "cloud", "Public cloud"
    TELECOM = "telecom", "Telecommunications"
    HARDWARE = "hardware", "Hardware and semiconductors"
    SOFTWARE = "software", "Software and services"
    FINANCE = "finance", "Financial services"
    RETAIL = "retail", "Retail and e-commerce"
    RESEARCH = "research", "Academic and research"
    GOVERNMENT = "government", "Energy, transportation and government"
    MANUFACTURING = "manufacturing", "Manufacturing"
    MEDIA = "media", "Web and entertainment"
    NONPROFIT = "nonprofit", "Non-profit"
    OTHER = "other", "Other"
