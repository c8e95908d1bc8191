"""Big bodies are kept short in the call log and still lose their secrets."""

import json

from osdesk.api.calllog import BIG_BODY_HEAD, PARSE_LIMIT, redact_body


def test_a_big_list_is_cut_to_a_short_head_without_secrets():
    servers = [{"id": str(i), "name": f"vm-{i}", "adminPass": f"pw-{i}-secret",
                "metadata": {"password": "in-metadata"}} for i in range(4000)]
    body = json.dumps({"servers": servers}).encode()
    assert len(body) > PARSE_LIMIT
    text, parsed = redact_body(body, "application/json")
    assert parsed is None
    assert len(text) < BIG_BODY_HEAD + 200
    assert "secret" not in text and "in-metadata" not in text
    assert '"adminPass": "***"' in text
    assert text.endswith("more characters not shown)")


def test_a_secret_with_escaped_quotes_is_removed_whole():
    tail = "x" * (PARSE_LIMIT + 10)
    body = json.dumps({"keypair": {"private_key": 'a"b\\"c-KEY', "pad": tail}}).encode()
    text, _ = redact_body(body, "application/json")
    assert "KEY" not in text and '"private_key": "***"' in text
