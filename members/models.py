"""Membership models arrive with the website and membership issues."""
