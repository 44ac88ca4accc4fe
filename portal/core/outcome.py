"""Views that carry out one service call and answer with a message (then usually a redirect)."""

from collections.abc import Callable

from django.contrib import messages

from portal.core.exceptions import ApplicationError


def carry_out(request, action: Callable[[], object], *, done: str) -> bool:
    """Call `action`; a refusal (an ApplicationError) is shown as an error message, success as `done`.
    True when it went through."""
    try:
        action()
    except ApplicationError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, done)
    return True
