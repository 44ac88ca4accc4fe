"""The site's Wagtail page types, one module per area; portal.models imports them for Django."""
