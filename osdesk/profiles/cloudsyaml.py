"""Import clouds from clouds.yaml, secure.yaml and OS_* variables; export to clouds.yaml."""

from __future__ import annotations

import copy
import os
import urllib.parse
import uuid
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from osdesk.profiles.config_paths import nothing_to_read
from osdesk.profiles.profile import Profile
# ProfileImportError is re-exported from here (osdesk.profiles imports it here)
from osdesk.profiles.settings import (SECRET_KEYS, ProfileImportError,  # noqa: F401
                                      SettingsProblem, kind_of, profile_from_settings)

#: Namespace of the stable ids of imported clouds: uuid5(NS, "clouds.yaml:<name>").
CLOUDS_YAML_NAMESPACE = uuid.UUID("6f0b7d3e-3c1a-5a52-9d1c-0a5d6e4b7c21")


@dataclass
class ImportResult:
    """What ``discover_clouds`` found.

    ``profiles`` pairs each usable cloud with its secret (None when the
    configuration holds none); ``errors`` explains every cloud or file that
    could not be used; ``warnings`` are notes that did not stop an import;
    ``files`` are the configuration files that were read.
    """

    profiles: list[tuple[Profile, str | None]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def clouds_yaml_profile_id(cloud_name: str) -> str:
    """The stable profile id of the clouds.yaml cloud ``cloud_name``."""
    return uuid.uuid5(CLOUDS_YAML_NAMESPACE, "clouds.yaml:" + cloud_name).hex


# ---------------------------------------------------------------- discover
def discover_clouds(
    config_files: Sequence[str | os.PathLike] | None = None,
    env: Mapping[str, str] | None = None,
    *,
    secure_files: Sequence[str | os.PathLike] | None = None,
    vendor_files: Sequence[str | os.PathLike] | None = None,
    fetch_remote_profiles: bool = True,
) -> ImportResult:
    """Every cloud of clouds.yaml (+ secure.yaml) and of the OS_* variables.

    Reads the configuration the way the ``openstack`` CLI does, with
    openstacksdk's loader: ``OS_CLIENT_CONFIG_FILE``/``OS_CLIENT_SECURE_FILE``
    first, then ``config_files`` or the standard search path (the current
    directory, the user's and the site's ``openstack`` config folders).
    ``secure_files`` default to the standard path, or to ``secure.yaml`` next
    to the given ``config_files``. ``env`` replaces ``os.environ``.
    A vendor ``profile:`` given as a URL is fetched over the network, as the
    CLI does, unless ``fetch_remote_profiles`` is False.

    Never raises: unreadable files and unusable clouds end up in ``errors``.
    """
    result = ImportResult()
    try:
        _discover(result, config_files, env, secure_files, vendor_files, fetch_remote_profiles)
    except Exception as exc:  # NOTE: last resort; the loader raises many types
        result.errors.append(f"The OpenStack configuration could not be read: {_describe(exc)}.")
    return result


def _discover(result, config_files, env, secure_files, vendor_files, fetch_remote) -> None:
    import warnings

    env = dict(os.environ if env is None else env)
    if (config_files is None and secure_files is None
            and nothing_to_read(env, _auth_envvar_keys(env))):
        return  # no clouds.yaml, no OS_* cloud: openstacksdk's loader is not imported
    from openstack.config import loader as os_loader  # lazy: ~0.5 s to import

    config_list = [os.fspath(p) for p in config_files] if config_files is not None \
        else list(os_loader.CONFIG_FILES)
    if secure_files is not None:
        secure_list = [os.fspath(p) for p in secure_files]
    elif config_files is not None:
        secure_list = [os.path.join(os.path.dirname(p) or ".", "secure" + ext)
                       for p in config_list for ext in (".yaml", ".yml", ".json")]
    else:
        secure_list = list(os_loader.SECURE_FILES)
    # NOTE: the overrides are applied here, not by the loader, so that a broken
    # override file is reported instead of silently skipped.
    if env.get("OS_CLIENT_CONFIG_FILE"):
        config_list.insert(0, env["OS_CLIENT_CONFIG_FILE"])
    if env.get("OS_CLIENT_SECURE_FILE"):
        secure_list.insert(0, env["OS_CLIENT_SECURE_FILE"])
    loader_env = {k: v for k, v in env.items()
                  if k not in ("OS_CLIENT_CONFIG_FILE", "OS_CLIENT_SECURE_FILE")}

    config_path, config_data = _first_readable(config_list, result)
    secure_path, secure_data = _first_readable(secure_list, result)
    result.files = [p for p in (config_path, secure_path) if p]
    known_names: list[str] = []
    for data in (config_data, secure_data):
        for name in (data or {}).get("clouds") or {}:
            if name not in known_names:
                known_names.append(name)

    # openstacksdk refuses a clouds.yaml that names a cloud like the OS_* one
    # ("envvars", or $OS_CLOUD_NAME), even when no OS_* variable is set. Keep
    # the file's clouds and drop only what clashes.
    envvar_key = env.get("OS_CLOUD_NAME") or "envvars"
    if envvar_key in known_names:
        if _auth_envvar_keys(loader_env):
            result.errors.append(
                f"The cloud from the OS_* environment variables was not imported: "
                f"{config_path} also defines a cloud named {envvar_key!r}. Set "
                f"OS_CLOUD_NAME to another name to import both.")
            loader_env = {k: v for k, v in loader_env.items()
                          if k not in _auth_envvar_keys(loader_env)}
        loader_env["OS_CLOUD_NAME"] = "\0osdesk-no-envvars"

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            config = _env_loader_class(os_loader)(
                env=loader_env,
                preloaded={p: d for p, d in ((config_path, config_data),
                                             (secure_path, secure_data)) if p},
                config_files=[config_path] if config_path else [],
                secure_files=[secure_path] if secure_path else [],
                vendor_files=None if vendor_files is None else [os.fspath(p) for p in vendor_files],
            )
        except Exception as exc:
            result.errors.append(f"The OpenStack configuration could not be read: "
                                 f"{_describe(exc)}.")
            return
        if config._osdesk_has_envvars:
            known_names.append(config.envvar_key)
        for name in config.get_cloud_names():
            if name not in known_names:
                continue  # the loader's placeholder "defaults" cloud
            _import_one(result, config, name, config_path, fetch_remote)
    from openstack import warnings as os_warnings

    for w in caught:
        # Only warnings about the user's configuration; openstacksdk's notes to
        # programmers (e.g. RemovedInSDK60Warning on every get_one) are noise here.
        if not issubclass(w.category, (os_warnings.OpenStackDeprecationWarning,
                                       os_warnings.ConfigurationWarning)):
            continue
        text = str(w.message)
        if text not in result.warnings:
            result.warnings.append(text)


def _import_one(result: ImportResult, config, name: Any, config_path: str | None,
                fetch_remote: bool) -> None:
    is_env = name == config.envvar_key and config._osdesk_has_envvars
    where = ("The cloud from the OS_* environment variables" if is_env
             else f"The cloud {name!r}" + (f" in {config_path}" if config_path else ""))
    label = "envvars" if is_env else repr(name)
    try:
        if not isinstance(name, str):
            raise SettingsProblem("its name is not text")
        raw = config.cloud_config["clouds"][name]
        if raw is None:
            raise SettingsProblem("it has no settings")
        if not isinstance(raw, dict):
            raise SettingsProblem(f"it is {kind_of(raw)}, not a mapping of settings")
        raw_auth = raw.get("auth", {})
        if not isinstance(raw_auth, dict):
            raise SettingsProblem(f"its 'auth' is {kind_of(raw_auth)}, not a mapping")
        if "auth_url" in raw_auth and not isinstance(raw_auth["auth_url"], str):
            raise SettingsProblem(f"its auth_url is {kind_of(raw_auth['auth_url'])}, not text")
        remote = _remote_vendor_profile(raw.get("profile", raw.get("cloud")))
        if remote and not fetch_remote:
            raise SettingsProblem(f"its vendor profile comes from {remote}, and fetching it "
                                  f"was not allowed")
        regions = config._get_known_regions(name)
        if len(regions) > 1:
            names = ", ".join(str(r.get("name")) for r in regions)
            result.warnings.append(f"Cloud {label} lists several regions ({names}); "
                                   f"osdesk uses the first.")
        region = config.get_one(name, validate=False)
        cfg = region.config
        auth = cfg.get("auth") or {}
        if not isinstance(auth, dict):
            raise SettingsProblem(f"its 'auth' is {kind_of(auth)}, not a mapping")

        def get(key: str) -> Any:
            value = auth.get(key)
            return cfg.get(key) if value is None or value == "" else value

        if is_env:
            explicit = config._osdesk_env.get("OS_AUTH_TYPE") or None
        else:
            explicit = cfg.get("auth_type") or None
        notes: list[str] = []
        profile, secret = profile_from_settings(
            get, name=name, auth_type=explicit, warn=notes.append,
            id=clouds_yaml_profile_id(name), source="clouds.yaml", cloud_name=name)
        if not profile.region_name and region.region_name:
            profile.region_name = str(region.region_name)
        problems = profile.problems()
        if problems:
            raise SettingsProblem(" ".join(problems))
    except Exception as exc:
        result.errors.append(f"{where} was not imported: {_why_not_imported(exc)}")
        return
    result.warnings.extend(f"Cloud {label}: {n}." for n in notes)
    result.profiles.append((profile, secret))


def _why_not_imported(exc: Exception) -> str:
    """The sentence that says why a cloud of clouds.yaml could not be imported."""
    if isinstance(exc, SettingsProblem):
        return _sentence(str(exc))
    if isinstance(exc, OSError):  # requests' errors: a remote vendor profile was not fetched
        return f"its vendor profile could not be fetched ({_describe(exc)})."
    if isinstance(exc, KeyError):
        # openstacksdk fills "{name}" placeholders in values from the cloud's settings
        return (f"a value uses the placeholder {{{exc.args[0] if exc.args else ''}}}, "
                f"which names no setting.")
    return f"{_describe(exc)}."


def _remote_vendor_profile(vendor: Any) -> str | None:
    """The URL a ``profile:`` entry makes openstacksdk fetch, or None."""
    from openstack.config import vendors

    if not isinstance(vendor, str) or not vendor:
        return None
    known = vendors.profiles()
    if vendor in known:
        # a bundled vendor may point at its own well-known URL (ovh, vexxhost, ...)
        nested = (vendors.get_profile(vendor) or {}).get("profile")
        if isinstance(nested, str) and nested not in known \
                and urllib.parse.urlparse(nested).netloc:
            return nested
        return None
    try:
        return vendor if urllib.parse.urlparse(vendor).netloc else None
    except ValueError:
        return None


def _sentence(text: str) -> str:
    """``text`` as the end of a sentence that started before a colon."""
    text = text.strip()
    if text[:1].isupper() and not text[1:2].isupper():
        text = text[0].lower() + text[1:]
    return text if text.endswith(".") else text + "."


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{text} ({type(exc).__name__})" if text else type(exc).__name__


_LOADER_CLASSES: dict[int, type] = {}


def _env_loader_class(os_loader) -> type:
    """OpenStackConfig reading OS_* from a given mapping instead of os.environ."""
    cached = _LOADER_CLASSES.get(id(os_loader))
    if cached:
        return cached

    class EnvLoader(os_loader.OpenStackConfig):
        # NOTE: overrides private methods of openstacksdk 4.x's loader.py:
        # _get_envvar/_get_os_environ, so that a caller's env needs no
        # process-wide os.environ patching, and _load_yaml_json_file.
        def __init__(self, *, env: Mapping[str, str], preloaded: dict[str, Any], **kwargs):
            self._osdesk_env = env
            self._osdesk_preloaded = preloaded
            self._osdesk_has_envvars = False
            super().__init__(**kwargs)

        def _load_yaml_json_file(self, filelist):
            # The files _first_readable() already parsed are not read twice:
            # quicker, and what was checked is what is loaded.
            for path in filelist:
                if path in self._osdesk_preloaded:
                    return path, copy.deepcopy(self._osdesk_preloaded[path])
            return super()._load_yaml_json_file(filelist)

        def _get_envvar(self, key, default=None):
            if not self._load_envvars:
                return default
            return self._osdesk_env.get(key, default)

        def _get_os_environ(self, envvar_prefix=None):
            ret = self._defaults_module.get_defaults()
            for k in _os_envvar_keys(self._osdesk_env, envvar_prefix):
                ret[k.split("_", 1)[-1].lower()] = self._osdesk_env[k]
            if _auth_envvar_keys(self._osdesk_env, envvar_prefix):
                self._osdesk_has_envvars = True
                return ret
            return None

    _LOADER_CLASSES[id(os_loader)] = EnvLoader
    return EnvLoader


#: OS_* variables that only select or locate a cloud (openstacksdk's loader).
_SELECTOR_VARS = frozenset({"OS_CLOUD", "OS_REGION_NAME", "OS_CLIENT_CONFIG_FILE",
                            "OS_CLIENT_SECURE_FILE", "OS_CLOUD_NAME"})


def _os_envvar_keys(env: Mapping[str, str], prefix: str | None = None) -> list[str]:
    """The variables openstacksdk reads into the OS_* cloud (loader._get_os_environ)."""
    prefix = prefix or "OS_"
    return [k for k in env if (k.startswith("OS_") or k.startswith(prefix))
            and not k.startswith(("OS_TEST", "OS_STD", "OS_LOG"))]


def _auth_envvar_keys(env: Mapping[str, str], prefix: str | None = None) -> set[str]:
    """Those of them that describe a cloud: with any, there is an OS_* cloud."""
    return set(_os_envvar_keys(env, prefix)) - _SELECTOR_VARS


class _Skipped(Exception):
    """A clouds.yaml candidate passed over, with the sentence that says why."""


def _first_readable(paths: list[str], result: ImportResult):
    """The first existing, well-formed file of ``paths`` and its data.

    Like openstacksdk's loader, a file that cannot be read or parsed is skipped
    for the next one, but here the reason goes to ``result.errors``.
    """
    for path in paths:
        if not os.path.exists(path):
            continue
        try:
            return path, _clouds_data(path, result)
        except _Skipped as why:
            result.errors.append(str(why))
    return None, None


def _clouds_data(path: str, result: ImportResult) -> dict:
    """The data of one clouds.yaml candidate; raises _Skipped when it cannot be used."""
    data = _parsed(path, _read_text(path))
    if data is None:
        result.warnings.append(f"{path} is empty.")
        return {}
    if not isinstance(data, dict):
        raise _Skipped(f"{path} does not hold a mapping at the top (it holds a "
                       f"{kind_of(data)}), so it was skipped.")
    clouds = data.get("clouds")
    if "clouds" not in data:
        result.warnings.append(f"{path} has no 'clouds' section.")
    elif not isinstance(clouds, dict):
        raise _Skipped(f"The 'clouds' section of {path} is {kind_of(clouds)}, "
                       f"not a mapping of cloud names, so the file was skipped.")
    elif any(not isinstance(k, str) for k in clouds):
        bad = next(k for k in clouds if not isinstance(k, str))
        raise _Skipped(f"{path} names a cloud {bad!r}, which is not text; "
                       f"quote cloud names. The file was skipped.")
    return data


def _read_text(path: str) -> str:
    try:
        with open(path) as fh:  # the loader's own open(): locale encoding
            return fh.read()
    except UnicodeDecodeError:
        raise _Skipped(f"{path} could not be read: it is not text in the "
                       f"expected encoding.") from None
    except OSError as exc:
        raise _Skipped(f"{path} could not be read: {exc.strerror or exc}.") from None


def _parsed(path: str, text: str):
    """The JSON or YAML data of ``text``; raises _Skipped, never quoting the text."""
    import json

    import yaml

    try:
        if path.endswith("json"):
            return json.loads(text)
        # the safe constructor of the loader's safe_load; the C parser is faster
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except json.JSONDecodeError as exc:
        raise _Skipped(f"{path} is not valid JSON (line {exc.lineno}, "
                       f"column {exc.colno}): {exc.msg}. It was skipped.") from None
    except yaml.MarkedYAMLError as exc:
        # NOTE: not str(exc): it quotes the offending line, which may hold a password.
        what = []
        if exc.context:
            what.append(exc.context + _at(exc.context_mark))
        what.append((exc.problem or "a syntax error") + _at(exc.problem_mark))
        raise _Skipped(f"{path} is not valid YAML: {', '.join(what)}. "
                       f"It was skipped.") from None
    except yaml.YAMLError as exc:
        position = getattr(exc, "position", None)
        at = f" (character {position + 1})" if isinstance(position, int) else ""
        raise _Skipped(f"{path} is not valid YAML{at}: it contains characters "
                       f"YAML does not allow. It was skipped.") from None
    except (ValueError, RecursionError) as exc:
        raise _Skipped(f"{path} could not be parsed ({type(exc).__name__}). "
                       f"It was skipped.") from None


def _at(mark) -> str:
    return f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""


# ----------------------------------------------------------------- export
def export_clouds_yaml(profile: Profile, secret: str | None = None) -> str:
    """A clouds.yaml document holding ``profile`` (its secret only when given)."""
    import yaml

    name = profile.cloud_name if profile.source == "clouds.yaml" and profile.cloud_name \
        else profile.name
    auth: dict[str, str] = {}
    for fname in ("auth_url", "username", "user_id", "user_domain_name", "user_domain_id",
                  "project_name", "project_id", "project_domain_name", "project_domain_id",
                  "domain_name", "domain_id",
                  "application_credential_id", "application_credential_name"):
        if fname.startswith("domain_") and profile.scope == "project":
            continue  # a domain with a project would mean the user's/project's domain
        value = getattr(profile, fname)
        if value:
            # NOTE: openstacksdk runs auth_url through str.format(); keep braces literal.
            auth[fname] = _brace(value) if fname == "auth_url" else value
    if secret is not None:
        auth[SECRET_KEYS.get(profile.auth_type, ("password",))[0]] = secret
    cloud: dict[str, Any] = {"auth_type": profile.auth_type, "auth": auth}
    # NOTE: top-level strings are str.format()-ed by the loader too.
    if "," in profile.region_name:
        # NOTE: openstacksdk splits a region_name at commas (a deprecated list form)
        cloud["regions"] = [_brace(profile.region_name)]
    elif profile.region_name:
        cloud["region_name"] = _brace(profile.region_name)
    cloud["interface"] = profile.interface
    if profile.cacert:
        cloud["cacert"] = _brace(profile.cacert)
    if not profile.verify:
        cloud["verify"] = False
    cloud["api_timeout"] = float(profile.timeout)
    return yaml.dump({"clouds": {name: cloud}}, Dumper=_dumper_class(), sort_keys=False,
                     default_flow_style=False, allow_unicode=True)


_DUMPER: list[type] = []


def _dumper_class() -> type:
    """A SafeDumper that double-quotes text holding line breaks or control characters.

    WORKAROUND: PyYAML writes "a\x85" single-quoted and reads it back as "a "
    (NEL is a YAML line break); the double-quoted style escapes it.
    """
    if not _DUMPER:
        import yaml

        class Dumper(yaml.SafeDumper):
            pass

        def represent_str(dumper, value: str):
            style = '"' if any(not ch.isprintable() for ch in value) else None
            return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

        Dumper.add_representer(str, represent_str)
        _DUMPER.append(Dumper)
    return _DUMPER[0]


def _brace(value: str) -> str:
    return value.replace("{", "{{").replace("}", "}}")


# openrc lives in its own module; re-exported here, where the import API is documented.
from osdesk.profiles.openrc import export_openrc, parse_openrc  # noqa: E402,F401
