"""osdesk: a desktop client for OpenStack clouds."""

__version__ = "0.1.0"
