"""The cloud access core: sessions, service clients, errors, the API call log. No Qt."""

from osdesk.api.calllog import ApiCall, CallLog, default_log
from osdesk.api.cloud import Cloud
from osdesk.api.errors import (ApiError, AuthenticationFailed, BadResponse, Cancelled,
                               ConfigError, ConnectionFailed, HostNotFound, NotFound,
                               OsdeskError, PaginationLoop, RequestTimeout, ServiceNotAvailable,
                               TlsError)

__all__ = ["ApiCall", "ApiError", "AuthenticationFailed", "BadResponse", "CallLog", "Cancelled",
           "Cloud", "ConfigError", "ConnectionFailed", "HostNotFound", "NotFound", "OsdeskError",
           "PaginationLoop", "RequestTimeout", "ServiceNotAvailable", "TlsError", "default_log"]
