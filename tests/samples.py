"""Where the upstream API sample bodies are: a copy in tests/fixtures (from shared/api-samples,
unmodified, with their licenses), so a fresh clone needs nothing outside the repository."""

import os
from pathlib import Path

SAMPLES = Path(os.environ.get("OSDESK_API_SAMPLES")
               or Path(__file__).resolve().parent / "fixtures" / "api-samples")
