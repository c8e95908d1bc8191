"""``python -m osdesk`` and the ``osdesk`` launcher."""

import sys


def main() -> int:
    from osdesk.app import main as app_main
    return app_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
