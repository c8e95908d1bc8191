"""Nova keypairs (generate/import/delete per microversion), flavors, AZs, quotas."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization

from demo_helpers import nova, sample

S = "nova/doc/api_samples/"
PUB = sample(S + "os-keypairs/v2.10/keypairs-import-post-req.json")["keypair"]["public_key"]


def test_keypair_list_and_get_shapes(demo, compute):
    body = compute.get("/os-keypairs").json()
    ref = sample(S + "os-keypairs/v2.10/keypairs-list-resp.json")
    assert set(body) == set(ref)
    kp = body["keypairs"][0]["keypair"]
    assert set(kp) == set(ref["keypairs"][0]["keypair"])
    assert kp["name"] == "demo-key"
    one = compute.get("/os-keypairs/demo-key").json()
    assert set(one["keypair"]) == set(sample(S + "os-keypairs/v2.10/keypairs-get-resp.json")[
        "keypair"])
    old = nova(compute.session, "2.1").get("/os-keypairs").json()["keypairs"][0]["keypair"]
    assert "type" not in old
    r = compute.get("/os-keypairs/nope", raise_exc=False)
    assert r.status_code == 404
    assert r.json()["itemNotFound"]["message"].startswith("Keypair nope not found for user")


def test_keypair_generate_returns_working_private_key(demo, sess):
    api = nova(sess, "2.91")
    r = api.post("/os-keypairs", json={"keypair": {"name": "generated", "type": "ssh"}})
    assert r.status_code == 201
    kp = r.json()["keypair"]
    ref = sample(S + "os-keypairs/v2.10/keypairs-post-resp.json")["keypair"]
    assert set(kp) == set(ref)
    assert kp["private_key"].startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    key = serialization.load_pem_private_key(kp["private_key"].encode(), None)
    pub = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                        serialization.PublicFormat.OpenSSH).decode()
    assert kp["public_key"].startswith(pub)
    assert kp["public_key"].rstrip().endswith("Generated-by-Nova")
    assert len(kp["fingerprint"].split(":")) == 16
    r = api.post("/os-keypairs", json={"keypair": {"name": "generated"}}, raise_exc=False)
    assert r.status_code == 409
    assert r.json()["conflictingRequest"]["message"] == "Key pair 'generated' already exists."
    assert api.delete("/os-keypairs/generated").status_code == 204


def test_keypair_import_and_validation(demo, sess):
    api = nova(sess, "2.96")
    r = api.post("/os-keypairs", json={"keypair": {"name": "gen"}}, raise_exc=False)
    assert r.status_code == 400 and "'public_key' is a required property" in r.text
    body = sample(S + "os-keypairs/v2.92/keypairs-import-post-req.json")
    del body["keypair"]["user_id"]
    r = api.post("/os-keypairs", json=body)
    assert r.status_code == 201
    ref = sample(S + "os-keypairs/v2.92/keypairs-import-post-resp.json")
    assert r.json()["keypair"]["fingerprint"] == ref["keypair"]["fingerprint"]
    assert set(r.json()["keypair"]) == set(ref["keypair"])
    for bad in ("not a key", "ssh-rsa !!!notbase64", "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAI"):
        r = api.post("/os-keypairs", json={"keypair": {"name": "bad", "public_key": bad}},
                     raise_exc=False)
        assert r.status_code == 400, bad
        assert r.json()["badRequest"]["message"] == \
            "Keypair data is invalid: failed to generate fingerprint"
    old = nova(sess, "2.1")
    r = old.post("/os-keypairs", json={"keypair": {"name": "legacy", "public_key": PUB}})
    assert r.status_code == 200 and "type" not in r.json()["keypair"]
    assert old.delete("/os-keypairs/legacy").status_code == 202
    r = nova(sess, "2.91").post("/os-keypairs", raise_exc=False,
                                json={"keypair": {"name": "bad@name", "public_key": PUB}})
    assert r.status_code == 400
    assert api.delete("/os-keypairs/%s" % body["keypair"]["name"]).status_code == 204
    assert api.delete("/os-keypairs/nope", raise_exc=False).status_code == 404


def test_keypair_pagination(demo, sess):
    api = nova(sess, "2.35")
    for i in range(3):
        api.post("/os-keypairs", json={"keypair": {"name": "page-%d" % i, "public_key": PUB}})
    body = api.get("/os-keypairs?limit=2").json()
    assert len(body["keypairs"]) == 2 and body["keypairs_links"][0]["rel"] == "next"
    marker = body["keypairs"][-1]["keypair"]["name"]
    rest = api.get("/os-keypairs?marker=%s" % marker).json()["keypairs"]
    assert marker not in [k["keypair"]["name"] for k in rest]
    for i in range(3):
        api.delete("/os-keypairs/page-%d" % i)


def test_flavors(demo, compute):
    brief = compute.get("/flavors").json()["flavors"]
    assert {"m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"} <= {f["name"]
                                                                             for f in brief}
    ref = sample(S + "flavors/v2.75/flavors-list-resp.json")["flavors"][0]
    assert set(brief[0]) == set(ref)
    detail = compute.get("/flavors/detail").json()["flavors"]
    ref = sample(S + "flavors/v2.75/flavor-get-resp.json")["flavor"]
    assert set(detail[0]) == set(ref)
    large = compute.get("/flavors/4").json()["flavor"]
    assert large["extra_specs"] == {"hw:cpu_policy": "shared", "hw:numa_nodes": "1"}
    assert large["swap"] == 0
    old = nova(compute.session, "2.1").get("/flavors/1").json()["flavor"]
    assert set(old) == set(sample(S + "flavors/flavor-get-resp.json")["flavor"])
    assert old["swap"] == ""
    specs = compute.get("/flavors/c1/os-extra_specs").json()
    assert specs["extra_specs"]["hw:cpu_policy"] == "dedicated"
    assert compute.get("/flavors/c1/os-extra_specs/hw:cpu_policy").json() == {
        "hw:cpu_policy": "dedicated"}
    assert compute.get("/flavors/1/os-extra_specs/nope", raise_exc=False).status_code == 404
    assert compute.get("/flavors/999", raise_exc=False).status_code == 404
    page = compute.get("/flavors?limit=3").json()
    assert len(page["flavors"]) == 3 and page["flavors_links"][0]["rel"] == "next"
    rest = compute.get("/flavors?marker=%s" % page["flavors"][-1]["id"]).json()["flavors"]
    assert len(rest) == len(brief) - 3
    assert compute.get("/flavors?marker=zzz", raise_exc=False).status_code == 400
    big = compute.get("/flavors/detail?minRam=16384").json()["flavors"]
    assert big and all(f["ram"] >= 16384 for f in big)


def test_availability_zones_and_quota_sets(demo, compute):
    az = compute.get("/os-availability-zone").json()
    assert az == sample(S + "os-availability-zone/availability-zone-list-resp.json")
    q = compute.get("/os-quota-sets/%s" % demo.PROJECT_ID).json()
    ref = sample(S + "os-quota-sets/v2.57/quotas-show-get-resp.json")
    assert set(q["quota_set"]) == set(ref["quota_set"])
    d = compute.get("/os-quota-sets/%s/detail" % demo.PROJECT_ID).json()
    assert set(d["quota_set"]["instances"]) == {"in_use", "limit", "reserved"}
    assert compute.get("/os-quota-sets/%s" % demo.STAGING_PROJECT_ID,
                       raise_exc=False).status_code == 403
