"""Keystone v3 (served under ``/identity``)."""

from __future__ import annotations

from .http import Response, empty
from .routes import ID, RouteTable
from .util import HTTP_TITLES, HttpError, iso_expires, iso_micro_z

UNAUTH_MSG = "The request you have made requires authentication."


def keystone_error(status: int, title: str, message: str, headers=None):
    return HttpError(status, {"error": {"code": status, "title": title, "message": message}},
                     headers=headers)


def unauthorized(req=None):
    headers = {}
    if req is not None:
        headers["WWW-Authenticate"] = 'Keystone uri="%s/identity"' % req.base
    return keystone_error(401, "Unauthorized", UNAUTH_MSG, headers)


def forbidden(action: str):
    return keystone_error(403, "Forbidden",
                          "You are not authorized to perform the requested action: %s." % action)


def not_found(kind: str, ident: str):
    return keystone_error(404, "Not Found", "Could not find %s: %s." % (kind, ident))


def bad_request(message: str):
    return keystone_error(400, "Bad Request", message)


def _expecting(what: str, where: str):
    return bad_request("Expecting to find %s in %s. The server could not comply with the request "
                       "since it is either malformed or otherwise incorrect. The client is "
                       "assumed to be in error." % (what, where))


# ----------------------------------------------------------------------------- token checks

def validate_token(state, token_id: str | None):
    """Return the token record when valid (not expired/revoked), else None."""
    tok = state.tokens.get(token_id) if token_id else None
    return tok if tok is not None and tok["expires"] > state.now() else None


def authenticate(state, req, refuse):
    """keystonemiddleware's job for nova/glance/neutron/cinder: token → context.

    A missing, unknown or expired token is answered the way keystonemiddleware
    does for every service: 401 with keystone's JSON error body and a
    ``WWW-Authenticate: Keystone uri=...`` header.  Pending timers run first, and a
    token without a project scope gets the service's own 403, ``refuse()``.
    """
    state.tick()
    tok = _caller(state, req)
    req.ctx = ctx = {
        "token_id": tok["id"], "user_id": tok["user_id"], "project_id": tok["project_id"],
        "user_name": state.users[tok["user_id"]]["name"], "domain_id": tok["domain_id"],
        "roles": [state.roles[r]["name"] for r in tok["roles"]]}
    if ctx["project_id"] is None:
        raise refuse()
    return ctx


# ----------------------------------------------------------------------------- views

def _version_v3(base: str):
    return {"id": "v3.14", "links": [{"href": base + "/identity/v3/", "rel": "self"}],
            "media-types": [{"base": "application/json",
                             "type": "application/vnd.openstack.identity-v3+json"}],
            "status": "stable", "updated": "2020-04-07T00:00:00Z"}


def _domain_ref(state, domain_id):
    d = state.domains[domain_id]
    return {"id": d["id"], "name": d["name"]}


def _project_view(state, p, base, *, with_tags=True):
    out = {"is_domain": False, "description": p.get("description", ""),
           "domain_id": p["domain_id"], "enabled": p.get("enabled", True), "id": p["id"],
           "links": {"self": "%s/identity/v3/projects/%s" % (base, p["id"])},
           "name": p["name"], "parent_id": p["domain_id"], "options": {}}
    if with_tags:
        out["tags"] = list(p.get("tags", []))
    return out


_SERVICES = (("identity", "keystone", "/identity"), ("compute", "nova", "/compute/v2.1"),
             ("image", "glance", "/image"), ("network", "neutron", "/networking"),
             ("block-storage", "cinder", "/volume/v3"))
_IFACES = ("public", "internal", "admin")


def catalog(state):
    out = []
    for stype, name, path in _SERVICES:
        if stype not in state.services:
            continue
        # four ids are drawn on every call (setdefault builds its default each time)
        ids = state.catalog_ids.setdefault(stype, {k: state.ids.hex() for k in
                                                   ("service",) + _IFACES})
        eps = [{"id": ids[iface], "interface": iface, "region": state.region,
                "region_id": state.region, "url": state.base_url + path} for iface in _IFACES]
        out.append({"endpoints": eps, "id": ids["service"], "type": stype, "name": name})
    return out


def token_body(state, tok, *, with_catalog=True):
    user = state.users[tok["user_id"]]
    body = {"audit_ids": list(tok["audit_ids"]), "expires_at": iso_expires(tok["expires"]),
            "issued_at": iso_micro_z(tok["issued"]), "methods": list(tok["methods"]),
            "user": {"domain": _domain_ref(state, user["domain_id"]), "id": user["id"],
                     "name": user["name"], "password_expires_at": None}}
    if tok["project_id"] or tok["domain_id"]:
        body["roles"] = [{"id": r, "name": state.roles[r]["name"]} for r in tok["roles"]]
    if tok["project_id"]:
        p = state.projects[tok["project_id"]]
        body["project"] = {"domain": _domain_ref(state, p["domain_id"]), "id": p["id"],
                           "name": p["name"]}
        body["is_domain"] = False
    elif tok["domain_id"]:
        body["domain"] = _domain_ref(state, tok["domain_id"])
    if tok.get("app_cred_id"):
        ac = state.app_creds[tok["app_cred_id"]]
        body["application_credential"] = {"id": ac["id"], "name": ac["name"],
                                          "restricted": not ac["unrestricted"]}
    if with_catalog and (tok["project_id"] or tok["domain_id"]):
        body["catalog"] = catalog(state)
    return {"token": body}


# ----------------------------------------------------------------------------- lookups

def _match(rows, **want):
    """The row with these values (names are unique where keystone looks them up)."""
    return next((r for r in rows if all(r[k] == v for k, v in want.items())), None)


def _find_domain(state, ref):
    if not isinstance(ref, dict):
        return None
    if "id" in ref:
        return state.domains.get(ref["id"])
    return _match(state.domains.values(), name=ref["name"]) if "name" in ref else None


def _find_user(state, ref):
    if not isinstance(ref, dict):
        raise bad_request("Invalid input for field 'identity'.")
    if "id" in ref:
        return state.users.get(ref["id"])
    if "name" in ref:
        dom = _find_domain(state, ref.get("domain"))
        if dom is None:
            if "domain" not in ref:
                raise _expecting("domain", "user")
            return None
        return _match(state.users.values(), name=ref["name"], domain_id=dom["id"])
    return None


def roles_on(state, user_id, kind, target_id):
    return [r for (u, (k, t), r) in state.assignments
            if u == user_id and k == kind and t == target_id]


def _assigned(state, user_id, kind):
    """The projects (or domains) the user has a role on, in assignment order."""
    ids = dict.fromkeys(t for (u, (k, t), _r) in state.assignments if u == user_id and k == kind)
    table = state.projects if kind == "project" else state.domains
    return [table[i] for i in ids]


# ----------------------------------------------------------------------------- auth


def _issue(state, user_id, methods, project_id=None, domain_id=None, roles=(), app_cred_id=None,
           audit_chain=()):
    tid, now = state.ids.token(), state.now()
    tok = {"id": tid, "user_id": user_id, "methods": list(methods), "project_id": project_id,
           "domain_id": domain_id, "roles": list(roles), "issued": now,
           "expires": now + state.token_ttl, "app_cred_id": app_cred_id,
           "audit_ids": [state.ids.token()[7:29]] + list(audit_chain)[:1]}
    state.tokens[tid] = tok
    return tok


def _resolve_scope(state, req, scope, user_id):
    """→ (project_id, domain_id, roles) or raise 401 like keystone."""
    if scope is None or scope == "unscoped":
        return None, None, []
    if not isinstance(scope, dict):
        raise bad_request("Invalid input for field 'scope'.")
    if "project" in scope:
        pref = scope["project"]
        proj = None
        if isinstance(pref, dict) and "id" in pref:
            proj = state.projects.get(pref["id"])
        elif isinstance(pref, dict) and "name" in pref:
            if "domain" not in pref:
                raise _expecting("domain", "project")
            dom = _find_domain(state, pref.get("domain"))
            if dom is not None:
                proj = _match(state.projects.values(), name=pref["name"], domain_id=dom["id"])
        roles = proj and roles_on(state, user_id, "project", proj["id"])
        if not roles:
            raise unauthorized(req)
        return proj["id"], None, roles
    if "domain" in scope:
        dom = _find_domain(state, scope["domain"])
        roles = dom and roles_on(state, user_id, "domain", dom["id"])
        if not roles:
            raise unauthorized(req)
        return None, dom["id"], roles
    if "system" in scope or "OS-TRUST:trust" in scope:
        raise unauthorized(req)
    raise bad_request("Invalid input for field 'scope'.")


def post_tokens(state, req):
    try:
        data = req.json()
        auth = data["auth"]
        identity = auth["identity"]
        methods = identity["methods"]
        if not isinstance(methods, list) or not methods:
            raise KeyError("methods")
    except (ValueError, KeyError, TypeError):
        raise _expecting("identity", "auth")
    scope = auth.get("scope")
    method = methods[0]
    audit_chain = ()
    out_methods = list(methods)
    if method == "password":
        pw = identity.get("password") or {}
        user = _find_user(state, pw.get("user"))
        if user is None or not user.get("enabled", True) or user.get("password") is None or \
                (pw.get("user") or {}).get("password") != user["password"]:
            raise unauthorized(req)
        user_id = user["id"]
    elif method == "application_credential":
        ac_ref = identity.get("application_credential") or {}
        ac = None
        if "id" in ac_ref:
            ac = state.app_creds.get(ac_ref["id"])
        elif "name" in ac_ref:
            owner = _find_user(state, ac_ref.get("user"))
            if owner is not None:
                ac = _match(state.app_creds.values(), name=ac_ref["name"], user_id=owner["id"])
        # unknown, wrong secret, expired, or a scope asked for (keystone: no rescoping)
        if ac is None or ac_ref.get("secret") != ac["secret"] or scope or \
                (ac.get("expires") and ac["expires"] <= state.now()):
            raise unauthorized(req)
        tok = _issue(state, ac["user_id"], ["application_credential"], project_id=ac["project_id"],
                     roles=list(ac["roles"]), app_cred_id=ac["id"])
        return _token_response(state, req, tok, status=201)
    elif method == "token":
        tref = identity.get("token") or {}
        old = validate_token(state, tref.get("id"))
        if old is None:
            raise unauthorized(req)
        if old.get("app_cred_id"):
            raise forbidden("identity:rescope")
        user_id = old["user_id"]
        audit_chain = old["audit_ids"]
        out_methods = ["token"] + [m for m in old["methods"] if m != "token"]
    else:
        raise unauthorized(req)
    project_id, domain_id, roles = _resolve_scope(state, req, scope, user_id)
    if scope is None and method != "token":
        # keystone scopes to the user's default project when no scope is given
        dp = state.users[user_id].get("default_project_id")
        if dp and roles_on(state, user_id, "project", dp):
            project_id, roles = dp, roles_on(state, user_id, "project", dp)
    tok = _issue(state, user_id, out_methods, project_id=project_id, domain_id=domain_id,
                 roles=roles, audit_chain=audit_chain)
    return _token_response(state, req, tok, status=201)


def _token_response(state, req, tok, status=200):
    nocat = req.param("nocatalog") is not None
    return Response(status, token_body(state, tok, with_catalog=not nocat),
                    headers={"X-Subject-Token": tok["id"], "Vary": "X-Auth-Token"})


def _caller(state, req, user_id=None, policy=None):
    """The caller's token; with ``user_id``, the caller must be that user (else 403)."""
    tok = validate_token(state, req.header("X-Auth-Token"))
    if tok is None:
        raise unauthorized(req)
    if policy is not None and user_id != tok["user_id"]:
        raise forbidden(policy)
    return tok


def _listed(req, key, items, path):
    """A keystone list: the items and its (never paged) links."""
    return Response(200, {key: items, "links": {
        "self": req.base + "/identity/v3" + path, "previous": None, "next": None}})


def _subject(state, req):
    """The token named by ``X-Subject-Token`` (the caller's own must be valid too)."""
    _caller(state, req)
    subject = req.header("X-Subject-Token")
    tok = validate_token(state, subject)
    if tok is None:
        raise not_found("token", subject or "")
    return tok


def get_tokens(state, req):
    return _token_response(state, req, _subject(state, req), status=200)


def delete_tokens(state, req):
    del state.tokens[_subject(state, req)["id"]]
    return empty()


def auth_projects(state, req):
    tok = _caller(state, req)
    projects = [{"domain_id": p["domain_id"], "enabled": p.get("enabled", True), "id": p["id"],
                 "links": {"self": "%s/identity/v3/projects/%s" % (req.base, p["id"])},
                 "name": p["name"]} for p in _assigned(state, tok["user_id"], "project")]
    return _listed(req, "projects", projects, "/auth/projects")


def auth_domains(state, req):
    tok = _caller(state, req)
    domains = [_domain_view(d, req.base) for d in _assigned(state, tok["user_id"], "domain")]
    return _listed(req, "domains", domains, "/auth/domains")


def auth_system(state, req):
    _caller(state, req)
    return _listed(req, "system", [], "/auth/system")


def auth_catalog(state, req):
    tok = _caller(state, req)
    if not (tok["project_id"] or tok["domain_id"]):
        raise keystone_error(403, "Forbidden",
                             "A catalog cannot be retrieved with an unscoped token.")
    return _listed(req, "catalog", catalog(state), "/auth/catalog")


def _user_view(state, u, base):
    out = {"domain_id": u["domain_id"], "enabled": u.get("enabled", True), "id": u["id"],
           "links": {"self": "%s/identity/v3/users/%s" % (base, u["id"])}, "name": u["name"],
           "options": {}, "password_expires_at": None}
    if u.get("default_project_id"):
        out["default_project_id"] = u["default_project_id"]
    if u.get("email"):
        out["email"] = u["email"]
    return out


def get_user(state, req, user_id):
    _caller(state, req, user_id, "identity:get_user")
    return Response(200, {"user": _user_view(state, state.users[user_id], req.base)})


def get_user_projects(state, req, user_id):
    _caller(state, req, user_id, "identity:list_user_projects")
    projects = [_project_view(state, p, req.base, with_tags=False)
                for p in _assigned(state, user_id, "project")]
    for p in projects:
        p.pop("options", None)
    return _listed(req, "projects", projects, "/users/%s/projects" % user_id)


def _app_cred_view(state, ac, base):
    return {"description": ac.get("description"),
            "roles": [{"id": r, "domain_id": None, "name": state.roles[r]["name"]}
                      for r in ac["roles"]],
            "access_rules": [],
            "links": {"self": "%s/identity/v3/users/%s/application_credentials/%s" % (
                base, ac["user_id"], ac["id"])},
            "expires_at": None, "unrestricted": ac["unrestricted"],
            "project_id": ac["project_id"], "id": ac["id"], "name": ac["name"],
            "user_id": ac["user_id"]}


def list_app_creds(state, req, user_id):
    _caller(state, req, user_id, "identity:list_application_credentials")
    creds = [_app_cred_view(state, ac, req.base) for ac in state.app_creds.values()
             if ac["user_id"] == user_id]
    return _listed(req, "application_credentials", creds,
                   "/users/%s/application_credentials" % user_id)


def get_app_cred(state, req, user_id, cred_id):
    _caller(state, req, user_id, "identity:get_application_credential")
    ac = state.app_creds.get(cred_id)
    if ac is None or ac["user_id"] != user_id:
        raise not_found("application credential", cred_id)
    return Response(200, {"application_credential": _app_cred_view(state, ac, req.base)})


def list_projects(state, req):
    _caller(state, req)
    raise forbidden("identity:list_projects")


def get_project(state, req, project_id):
    tok = _caller(state, req)
    p = state.projects.get(project_id)
    # keystone: a member may only read the project its token is scoped to
    if p is None or tok["project_id"] != project_id:
        raise forbidden("identity:get_project")
    return Response(200, {"project": _project_view(state, p, req.base, with_tags=False)})


def get_domain(state, req, domain_id):
    tok = _caller(state, req)
    d = state.domains.get(domain_id)
    allowed = d is not None and (tok["domain_id"] == domain_id or (
        tok["project_id"] and state.projects[tok["project_id"]]["domain_id"] == domain_id))
    if not allowed:
        raise forbidden("identity:get_domain")
    return Response(200, {"domain": dict(_domain_view(d, req.base), options={}, tags=[])})


def _domain_view(d, base):
    return {"description": d.get("description", ""), "enabled": True, "id": d["id"],
            "links": {"self": "%s/identity/v3/domains/%s" % (base, d["id"])}, "name": d["name"]}


# ----------------------------------------------------------------------------- routing

def _not_allowed(req, methods):
    return keystone_error(405, "Method Not Allowed",
                          "The method is not allowed for the requested URL.")


_USER = "/v3/users/" + ID
_ROUTES = RouteTable([
    ("POST", "/v3/auth/tokens", post_tokens),
    ("GET HEAD", "/v3/auth/tokens", get_tokens),
    ("DELETE", "/v3/auth/tokens", delete_tokens),
    ("GET", "/v3/auth/projects", auth_projects),
    ("GET", "/v3/auth/domains", auth_domains),
    ("GET", "/v3/auth/system", auth_system),
    ("GET", "/v3/auth/catalog", auth_catalog),
    ("GET", _USER, get_user),
    ("GET", _USER + "/projects", get_user_projects),
    ("GET", _USER + "/application_credentials", list_app_creds),
    ("GET", _USER + "/application_credentials/" + ID, get_app_cred),
    ("GET", "/v3/projects", list_projects),
    ("GET", "/v3/projects/" + ID, get_project),
    ("GET", "/v3/domains/" + ID, get_domain),
], not_allowed=_not_allowed)


def error_response(status: int, message: str | None = None, req=None):
    title = HTTP_TITLES.get(status, "Error")
    msg = message or {401: UNAUTH_MSG, 500: "An unexpected error prevented the server from "
                                             "fulfilling your request."}.get(status, title)
    return Response(status, {"error": {"code": status, "title": title, "message": msg}})


def handle(state, req, sub: str) -> Response:
    if sub in ("", "/"):
        if req.method not in ("GET", "HEAD"):
            raise _not_allowed(req, None)
        return Response(300, {"versions": {"values": [_version_v3(req.base)]}})
    if sub in ("/v3", "/v3/"):
        return Response(200, {"version": _version_v3(req.base)})
    found = _ROUTES.find(req, sub)
    if found is None:
        raise keystone_error(404, "Not Found", "The resource could not be found.")
    fn, args = found
    with state.lock:
        state.tick()
        return fn(state, req, *args)
