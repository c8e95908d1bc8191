"""The cloud access core: sessions, service clients, errors, the API call log. No Qt."""

from osdesk.api.calllog import ApiCall, CallLog, default_log
from osdesk.api.errors import (ApiError, AuthenticationFailed, BadResponse, Cancelled,
                               ConfigError, ConnectionFailed, HostNotFound, NoSupportedVersion,
                               NotFound, OsdeskError, PaginationLoop, QuotaExceeded,
                               RequestTimeout, ServiceNotAvailable, TlsError, TooManyRequests)

__all__ = ["ApiCall", "ApiError", "AuthenticationFailed", "BadResponse", "CallLog", "Cancelled",
           "Cloud", "ConfigError", "ConnectionFailed", "HostNotFound", "NoSupportedVersion",
           "NotFound", "OsdeskError", "PaginationLoop", "QuotaExceeded", "RequestTimeout",
           "ServiceNotAvailable", "TlsError", "TooManyRequests", "default_log"]


def __getattr__(name: str):
    """``Cloud`` is imported when first asked for: its module brings the HTTP stack
    (requests, keystoneauth1), which the errors, the call log and the collections do not
    need, and a start shows its window and a returning user's last rows without it."""
    if name == "Cloud":
        from osdesk.api.cloud import Cloud
        return Cloud
    raise AttributeError(f"module 'osdesk.api' has no attribute {name!r}")
