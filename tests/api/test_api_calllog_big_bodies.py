"""Big bodies are kept short in the call log and still lose their secrets."""

import json

from osdesk.api.calllog import BIG_BODY_HEAD, PARSE_LIMIT, JsonText, redact_body


def test_a_big_list_is_cut_to_a_short_head_without_secrets():
    servers = [{"id": str(i), "name": f"vm-{i}", "adminPass": f"pw-{i}-secret",
                "metadata": {"password": "in-metadata"}} for i in range(4000)]
    body = json.dumps({"servers": servers}).encode()
    assert len(body) > PARSE_LIMIT
    text, whole = redact_body(body, "application/json")
    assert len(text) < BIG_BODY_HEAD + 200
    assert "secret" not in text and "in-metadata" not in text
    assert '"adminPass": "***"' in text
    assert text.endswith("more characters not shown)")
    # the whole body is kept for the inspector, every secret gone from it too
    assert isinstance(whole, JsonText)
    assert "secret" not in whole.text and "in-metadata" not in whole.text
    value = whole.parse()
    assert len(value["servers"]) == 4000
    assert value["servers"][3999] == {"id": "3999", "name": "vm-3999", "adminPass": "***",
                                      "metadata": {"password": "***"}}


def test_a_secret_that_is_not_a_string_is_removed_when_parsed():
    pad = "x" * (PARSE_LIMIT + 10)
    body = json.dumps({"credential": {"blob": "s3cr3t-blob"}, "PASSWORD": "UP-secret",
                       "pad": pad}).encode()
    _text, whole = redact_body(body, "application/json")
    assert "UP-secret" not in whole.text
    assert whole.parse()["credential"] == "***"


def test_a_big_body_that_is_not_json_is_not_kept_whole():
    text, whole = redact_body(b"x" * (PARSE_LIMIT + 10), "text/plain")
    assert whole is None and len(text) < BIG_BODY_HEAD + 200


def test_a_secret_with_escaped_quotes_is_removed_whole():
    tail = "x" * (PARSE_LIMIT + 10)
    body = json.dumps({"keypair": {"private_key": 'a"b\\"c-KEY', "pad": tail}}).encode()
    text, _ = redact_body(body, "application/json")
    assert "KEY" not in text and '"private_key": "***"' in text


def test_a_big_body_read_from_several_threads_at_once_reads_the_same_without_secrets():
    # the secrets leave the whole text when it is first read, on whichever thread that is
    import threading
    servers = [{"id": str(i), "adminPass": f"pw-{i}-secret"} for i in range(4000)]
    body = json.dumps({"servers": servers}).encode()
    texts, lengths = [], []
    for _ in range(5):
        _text, whole = redact_body(body, "application/json")
        lengths.append(len(whole))  # before the text was made: the raw length, close enough
        start = threading.Barrier(4)

        def read(whole=whole, start=start):
            start.wait()
            texts.append(whole.text)
        threads = [threading.Thread(target=read) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(whole) == len(texts[-1])
    assert len(set(texts)) == 1 and "secret" not in texts[0] and '"adminPass": "***"' in texts[0]
    assert all(n >= len(texts[0]) for n in lengths)
