"""The crawler's SSRF guard is the platform's one outbound-request guard (services/common/netguard.py);
these names stay importable from here for the crawler's modules."""
from services.common.netguard import (  # noqa: F401 - re-exported
    ForbiddenAddress, GuardedBackend, GuardedTransport, IPAddress, ResolveError, is_public, resolve, ssl_context,
)
