"""Sample bodies and helpers shared by the model tests."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

from tests.samples import SAMPLES  # noqa: E402
NOVA = "nova/doc/api_samples"
NEUTRON = "neutron/api-ref/source/v2/samples"
KEYSTONE = "keystone/api-ref/source/v3/samples/admin"
GLANCE = "glance/api-ref/source/v2/samples"


def load_sample(relpath: str):
    """A sample body from shared/api-samples (see its INDEX.tsv), parsed."""
    with open(SAMPLES / relpath, encoding="utf-8") as fh:
        return json.load(fh)


def servers_v296() -> list[dict]:
    return load_sample(f"{NOVA}/servers/v2.96/servers-details-resp.json")["servers"]


def clone(data):
    """A deep copy of JSON data (much faster than copy.deepcopy for 10,000 servers)."""
    return json.loads(json.dumps(data))


def many_servers(count: int, template: dict | None = None, start: int = 0) -> list[dict]:
    """``count`` copies of a real sample server with new ids, names and addresses."""
    text = json.dumps(template or servers_v296()[0])
    out = []
    for i in range(start, start + count):
        server = json.loads(text)
        server["id"] = str(uuid.UUID(int=i + 1))
        server["name"] = f"vm-{i}"
        server["addresses"] = {"private": [{
            "addr": f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}",
            "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:00", "OS-EXT-IPS:type": "fixed",
            "version": 4}]}
        out.append(server)
    return out


class SignalRecorder:
    """Records every structural signal of a model, as ``(name, args)`` tuples."""

    NAMES = ("dataChanged", "rowsAboutToBeInserted", "rowsInserted", "rowsAboutToBeRemoved",
             "rowsRemoved", "layoutAboutToBeChanged", "layoutChanged", "modelAboutToBeReset",
             "modelReset", "rowsMoved")

    def __init__(self, model):
        self.events: list[tuple[str, tuple]] = []
        for name in self.NAMES:
            getattr(model, name).connect(self._recorder(name))

    def _recorder(self, name):
        def record(*args):
            if name == "dataChanged":
                args = ((args[0].row(), args[0].column()), (args[1].row(), args[1].column()))
            elif name.startswith("rows") and name != "rowsMoved":
                args = (args[1], args[2])
            else:
                args = ()
            self.events.append((name, args))
        return record

    def names(self) -> list[str]:
        return [name for name, _args in self.events]

    def of(self, name: str) -> list[tuple]:
        return [args for n, args in self.events if n == name]

    def clear(self) -> None:
        self.events.clear()


