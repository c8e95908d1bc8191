"""The demo cloud answers without waiting for delayed ACKs (headers and body are two writes)."""

import socket

from osdesk.demo.http import _Handler


def test_the_handler_turns_nagle_off():
    assert _Handler.disable_nagle_algorithm is True


def test_an_answer_on_a_kept_alive_connection_has_tcp_nodelay(demo):
    import requests
    s = requests.Session()
    s.get(demo.base_url + "/identity", timeout=10)
    conns = list(demo._httpd.open_conns)
    assert conns and all(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for c in conns)
