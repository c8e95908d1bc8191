"""1,000 random switches between two clouds and two projects while requests are in flight.

After every step, every row of every page must belong to the cloud and project the
window says it shows; and every row of the "All clouds" inventory, listing both clouds
and both projects meanwhile (and again and again), to the cloud and project it names. The key sets are built first by listing each demo cloud directly
with the API layer, per project.

"Left behind" means: a thread this test started that is still alive once the window is
shut down and the slowest request in flight has had time to end (the runner never joins
its workers, by design: ``Runner.shutdown`` returns at once). The runner's workers are
the only threads osdesk starts; while the window is open there is at most one per cloud
(plus one for reading clouds.yaml), whatever the number of switches.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import threading
import time

import pytest

from osdesk.api.calllog import CallLog
from osdesk.api.cloud import Cloud
from osdesk.demo import DemoCloud
from osdesk.kinds.registry import row_key_for
from osdesk.kinds.registry import KINDS
from tests.faults.conftest import demo_profile, osdesk_threads, run, until

pytestmark = pytest.mark.faults

SWITCHES = int(os.environ.get("OSDESK_FAULTS_SWITCHES", "1000"))
#: Every demo answer is delayed by a random 0..MAX_LATENCY s, changed at every step.
MAX_LATENCY = 0.02


def expected_keys(demo: DemoCloud, project_id: str) -> dict[str, set]:
    """Every page's row keys for one cloud and project, listed directly."""
    profile = demo_profile(demo, "direct", "direct", project_name="", project_id=project_id,
                           project_domain_name="")
    cloud = Cloud(profile, demo.PASSWORD, call_log=CallLog())
    try:
        out = {}
        for kind in KINDS:
            key = row_key_for(kind.key)
            out[kind.key] = {row[key] for page in kind.pages(cloud) for row in page}
        return out
    finally:
        cloud.close()


@pytest.fixture
def two_clouds():
    a = DemoCloud(servers=30, speed=50, seed_value=11).start()
    b = DemoCloud(servers=30, speed=50, seed_value=12).start()
    yield a, b
    a.stop()
    b.stop()


def test_a_thousand_switches_never_show_a_row_under_the_wrong_cloud(window, loop, two_clouds,
                                                                     recorder, caplog):
    a, b = two_clouds
    before = set(threading.enumerate())
    profiles = {"A": demo_profile(a, "cloud-a", "Cloud A"),
                "B": demo_profile(b, "cloud-b", "Cloud B")}
    demos = {"A": a, "B": b}
    expected = {}
    for name, demo in demos.items():
        for project in (demo.PROJECT_ID, demo.STAGING_PROJECT_ID):
            expected[(profiles[name].id, project)] = expected_keys(demo, project)
    # how many rows could only be told apart by being in the wrong context
    all_contexts = list(expected)
    unique = 0
    for ctx in all_contexts:
        others = set().union(*(set().union(*expected[o].values())
                               for o in all_contexts if o != ctx))
        unique += len(set().union(*expected[ctx].values()) - others)
    assert unique > 100, "the two clouds must differ, or the check proves nothing"
    default_project = {profiles["A"].id: a.PROJECT_ID, profiles["B"].id: b.PROJECT_ID}
    for name, profile in profiles.items():
        window.clouds.add_transient_cloud(profile, demos[name].PASSWORD)
    inventory = window.desk.page.inventory
    inventory.every_project = True
    window.desk.start()
    rng = random.Random(20240611)
    caplog.set_level(logging.WARNING, logger="osdesk")
    wrong: list[str] = []
    peak_threads = 0
    steps_with_rows = 0

    def check() -> None:
        nonlocal peak_threads, steps_with_rows
        session = window.session
        if session is None:
            return
        steps_with_rows += any(p.model.rowCount() for p in window.pages.values())
        context = (session.profile.id,
                   session.info.get("project_id") or default_project[session.profile.id])
        allowed = expected[context]
        for key, page in window.pages.items():
            keys = page.model.keys()
            recorder.rows_checked += len(keys)
            bad = [k for k in keys if k not in allowed[key]]
            wrong.extend(f"{key} {k} under {context}" for k in bad)
            assert not page.feed.message.startswith("Unexpected error"), page.feed.message
        for key, model in inventory.models.items():
            for cloud_id, project_id, row_id in model.keys():
                recorder.rows_checked += 1
                if row_id not in expected[(cloud_id, project_id)][key]:
                    wrong.append(f"inventory {key} {row_id} under {cloud_id}/{project_id}")
        peak_threads = max(peak_threads, len(osdesk_threads()))

    async def scenario():
        kinds = list(window.pages)
        for step in range(SWITCHES):
            for demo in demos.values():
                demo.set_latency(rng.uniform(0, MAX_LATENCY))
            session = window.session
            combo = window.project_combo
            if session is not None and combo.isEnabled() and combo.count() > 1 \
                    and rng.random() < 0.35:
                current = session.info.get("project_id")
                others = [i for i in range(combo.count()) if combo.itemData(i) != current]
                window.on_project_combo_activated(rng.choice(others))
            else:
                window.open_profile(profiles[rng.choice("AB")])
            if rng.random() < 0.3:  # look at another page: its refresh starts too
                window.show_page(rng.choice(kinds))
            if rng.random() < 0.02:  # list every cloud again, the old listing cancelled
                window.desk.page.refresh()
            recorder.switches += 1
            # mostly too short for anything to finish; now and then until the rows are
            # there, so that the next switch lands on a page that shows some, often with
            # a refresh of them in flight
            if rng.random() < 0.06:
                page = window.current_page()
                try:
                    await until(lambda: page.feed.state == "ready" and window.session.info,
                                timeout=3, interval=0.01)
                except AssertionError:
                    pass  # a project switch may still be on its way: fine, go on
                check()
                if rng.random() < 0.6:
                    page.refresh()
            await asyncio.sleep(rng.uniform(0, 0.02))
            check()
        # let the last one finish: it must load, under the right cloud and project
        for demo in demos.values():
            demo.set_latency(0)
        window.show_page("servers")
        page = window.pages["servers"]
        await until(lambda: window.session is not None and window.session.info
                    and page.feed.state == "ready", timeout=120, what="the last load")
        await until(lambda: not inventory.busy(), timeout=120, what="the inventory")
        check()
        assert page.model.rowCount() > 0
        listed = {k[:2] for k in inventory.models["servers"].keys()}
        assert listed == set(expected), listed  # both clouds, both projects

    started = time.monotonic()
    run(loop, scenario(), timeout=600)
    elapsed = time.monotonic() - started
    recorder.wrong_rows += len(wrong)
    assert steps_with_rows >= SWITCHES // 20, "rows were hardly ever shown: the check proves little"
    assert wrong == [], wrong[:10]
    # one worker per cloud for the window, one per cloud for the inventory, clouds.yaml
    assert peak_threads <= 5, f"{peak_threads} runner threads at once"
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    # nothing left behind once the window is gone
    window.shutdown()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left = [t for t in set(threading.enumerate()) - before
                if t.is_alive() and (not t.daemon or t.name.startswith("cloud-"))]
        if not left:
            break
        time.sleep(0.05)
    recorder.threads_left.extend(t.name for t in left)
    assert left == [], [t.name for t in left]
    print(f"\n{SWITCHES} switches in {elapsed:.1f} s, {recorder.rows_checked} rows checked "
          f"in {steps_with_rows} checks with rows, {unique} rows unique to one cloud/project")
