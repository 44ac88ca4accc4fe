"""What the membership services announce, for parts that members may not import (the API's outbound webhooks).

Sent inside the service's transaction with `membership=`; receivers write in the same transaction, so a
rollback sends nothing.
"""

from django.dispatch import Signal

# A membership became active: its first dues are paid, or a lapsed member paid and is back.
member_joined = Signal()
# A membership lapsed: its dues stayed unpaid past the grace period.
member_lapsed = Signal()
