"""Real RSA key pairs in pure Python, like nova's ``os-keypairs`` generate.

Nova answers a create without ``public_key`` with a freshly generated 2048-bit
RSA key: the private key as a traditional PEM (``BEGIN RSA PRIVATE KEY``), the
public key as an OpenSSH line ending in ``Generated-by-Nova`` and the MD5
fingerprint of the public blob.  This module does the same with the stdlib, so
the private key it hands out really matches the public key (``ssh-keygen -y``
accepts it).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import math
import random
import struct

@functools.cache
def _primorial() -> int:
    """The product of the odd primes below 20000 (one gcd sieves a candidate)."""
    n = 20000
    sieve = bytearray([1]) * n
    sieve[0:2] = b"\x00\x00"
    for i in range(2, int(n ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(range(i * i, n, i)))
    return math.prod(i for i in range(3, n) if sieve[i])


def _is_probable_prime(n: int, rnd: random.Random, rounds: int = 24) -> bool:
    if n < 2:
        return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        a = rnd.randrange(2, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _gen_prime(bits: int, rnd: random.Random, e: int) -> int:
    while True:
        c = rnd.getrandbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if math.gcd(c, _primorial()) == 1 == math.gcd(c - 1, e) and _is_probable_prime(c, rnd):
            return c


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def _der_int(v: int) -> bytes:
    b = v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big")
    return b"\x02" + _der_len(len(b)) + b


def _ssh_string(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


def _ssh_mpint(v: int) -> bytes:
    b = v.to_bytes((v.bit_length() + 8) // 8, "big") if v else b""
    return _ssh_string(b)


def fingerprint_of(public_key: str) -> str:
    """MD5 fingerprint (``aa:bb:...``) of an OpenSSH public key line.

    Raises ValueError when the key is not ``<type> <base64> [comment]``.
    """
    parts = public_key.strip().split()
    if len(parts) < 2:
        raise ValueError("not an OpenSSH public key")
    try:
        blob = base64.b64decode(parts[1].encode(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("bad base64") from exc
    if len(blob) < 4:
        raise ValueError("short key blob")
    (n,) = struct.unpack(">I", blob[:4])
    if blob[4:4 + n].decode("ascii", "replace") != parts[0]:
        raise ValueError("key type mismatch")
    digest = hashlib.md5(blob).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


def x509_fingerprint(pem: str) -> str:
    digest = hashlib.sha1(pem.encode()).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 40, 2))


def generate_rsa_keypair(bits: int = 2048, seed=None, comment: str = "Generated-by-Nova"):
    """Return ``(private_pem, public_openssh_line, fingerprint)``."""
    rnd = random.Random(seed) if seed is not None else random.SystemRandom()
    e = 65537
    while True:
        p = _gen_prime(bits // 2, rnd, e)
        q = _gen_prime(bits - bits // 2, rnd, e)
        n = p * q
        if p != q and n.bit_length() == bits:
            break
    if p < q:
        p, q = q, p
    phi = (p - 1) * (q - 1)
    d = pow(e, -1, phi)
    dp, dq, qinv = d % (p - 1), d % (q - 1), pow(q, -1, p)
    body = b"".join(_der_int(x) for x in (0, n, e, d, p, q, dp, dq, qinv))
    der = b"\x30" + _der_len(len(body)) + body
    b64 = base64.b64encode(der).decode()
    pem = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(
        b64[i:i + 64] for i in range(0, len(b64), 64)) + "\n-----END RSA PRIVATE KEY-----\n"
    blob = _ssh_string(b"ssh-rsa") + _ssh_mpint(e) + _ssh_mpint(n)
    public = "ssh-rsa " + base64.b64encode(blob).decode() + " " + comment + "\n"
    return pem, public, fingerprint_of(public)
