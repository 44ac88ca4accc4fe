"""Event models arrive with the registration issue."""
