"""Tests of SecretStore: the keyring when it works, memory for the session when it does not."""

from __future__ import annotations

import logging

import keyring
import pytest
from keyring.backends import fail, null

from osdesk.profiles import SecretLocation, SecretStore


def test_keyring_round_trip(memory_keyring):
    secrets = SecretStore()
    location = secrets.set("p1", "hunter2")

    assert location == "keyring" and location.in_keyring
    assert location.where_text == "stored in the system keyring (MemoryKeyring)"
    assert memory_keyring.passwords == {("osdesk", "p1"): "hunter2"}
    assert secrets.get("p1") == "hunter2"
    assert SecretStore().get("p1") == "hunter2"  # really in the keyring, not this object
    assert secrets.where("p1") == "keyring"

    assert secrets.delete("p1") is True
    assert secrets.get("p1") is None and secrets.where("p1") is None
    assert memory_keyring.passwords == {}
    assert secrets.delete("p1") is True  # deleting nothing is fine


def test_service_name_is_configurable(memory_keyring):
    SecretStore(service="osdesk-test").set("p1", "x")
    assert list(memory_keyring.passwords) == [("osdesk-test", "p1")]


def test_available_and_backend_name():
    secrets = SecretStore()
    assert secrets.available() == (True, "")
    assert secrets.backend_name() == "MemoryKeyring"


@pytest.mark.parametrize("backend, words", [
    ("NoKeyring", "no keyring is available (No recommended backend was available.)"),
    ("Locked", "the keyring is locked (Failed to unlock the collection!)"),
    ("Broken", "the keyring failed (RuntimeError: D-Bus connection lost)"),
])
def test_failing_keyring_keeps_secret_in_memory(keyrings, backend, words):
    keyring.set_keyring(getattr(keyrings, backend)())
    secrets = SecretStore()
    location = secrets.set("p1", "hunter2")

    assert location == SecretLocation.MEMORY and location.in_memory
    assert location.where_text == f"kept in memory for this session only: {words}"
    assert location.reason == words
    assert secrets.get("p1") == "hunter2"
    assert secrets.where("p1") == "memory"
    assert secrets.available() == (False, words)
    assert SecretStore().get("p1") is None  # only this run's store has it

    assert secrets.delete("p1") is False  # the keyring could not be asked
    assert secrets.get("p1") is None


@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring])
def test_keyring_that_keeps_nothing_means_memory(backend):
    """keyring's "fail" backend raises; its "null" one silently drops secrets."""
    keyring.set_keyring(backend())
    secrets = SecretStore()
    location = secrets.set("p1", "hunter2")
    assert location == "memory"
    assert "no keyring is available" in location.where_text
    assert secrets.get("p1") == "hunter2"
    ok, reason = secrets.available()
    assert not ok and "no keyring is available" in reason


def test_read_failure_returns_none_and_is_reported(keyrings):
    keyring.set_keyring(keyrings.Locked())
    secrets = SecretStore()
    assert secrets.get("p1") is None
    assert secrets.last_failure.startswith("the keyring is locked")
    assert secrets.available()[0] is False


def test_keyring_coming_back_moves_the_secret_there(memory_keyring, keyrings):
    secrets = SecretStore()
    keyring.set_keyring(keyrings.Locked())
    assert secrets.set("p1", "old") == "memory"

    keyring.set_keyring(memory_keyring)  # the user unlocked it
    assert secrets.set("p1", "new") == "keyring"
    assert secrets.available() == (True, "")
    assert memory_keyring.passwords == {("osdesk", "p1"): "new"}
    assert secrets.where("p1") == "keyring"  # the memory copy is gone


def test_secret_is_never_logged_even_if_a_backend_echoes_it(caplog, keyrings):
    keyring.set_keyring(keyrings.Echoing())
    caplog.set_level(logging.DEBUG)
    location = SecretStore().set("p1", "hunter2-SECRET")

    assert location == "memory"
    assert "hunter2-SECRET" not in location.where_text
    assert "hunter2-SECRET" not in caplog.text
    assert "cannot store" in caplog.text


def test_secret_location_is_a_string():
    loc = SecretLocation("keyring", "stored in the system keyring (X)")
    assert loc == "keyring" and isinstance(loc, str) and loc.reason == ""
    with pytest.raises(ValueError):
        SecretLocation("disk", "never")
