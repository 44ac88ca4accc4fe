"""The member admin pages (/members/manage/): an organisation's own people keep its profile, contacts,
invitations, invoices and tier current. Who may open which page is the table in `access.py`."""
