"""An embedded, in-memory OpenStack cloud for ``osdesk --demo`` and the tests.

Keystone (``/identity``), Nova (``/compute``), Glance (``/image``) and Neutron
(``/networking``) on one local port, speaking the real HTTP APIs.  Stdlib only.
"""

from .cloud import DemoCloud

__all__ = ["DemoCloud"]
