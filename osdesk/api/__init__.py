"""The cloud access core: sessions, service clients, errors, the API call log. No Qt."""

from osdesk.api.calllog import ApiCall, CallLog, default_log
from osdesk.api.cloud import Cloud
from osdesk.api.errors import (ApiError, AuthenticationFailed, BadResponse, Cancelled,
                               ConfigError, ConnectionFailed, HostNotFound, NoSupportedVersion,
                               NotFound, OsdeskError, PaginationLoop, QuotaExceeded,
                               RequestTimeout, ServiceNotAvailable, TlsError, TooManyRequests)

__all__ = ["ApiCall", "ApiError", "AuthenticationFailed", "BadResponse", "CallLog", "Cancelled",
           "Cloud", "ConfigError", "ConnectionFailed", "HostNotFound", "NoSupportedVersion",
           "NotFound", "OsdeskError", "PaginationLoop", "QuotaExceeded", "RequestTimeout",
           "ServiceNotAvailable", "TlsError", "TooManyRequests", "default_log"]
