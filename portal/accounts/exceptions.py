"""Errors of the accounts app; views show their message to the person."""

from portal.core.exceptions import ApplicationError


class AccountError(ApplicationError):
    code = "account_error"


class CannotDeleteAccount(AccountError):
    code = "cannot_delete_account"
    status_code = 409
