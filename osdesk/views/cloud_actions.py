"""The clouds sidebar's work: saved, clouds.yaml and demo clouds; add, edit, duplicate,
delete, import (clouds.yaml, openrc) and export; which secret a cloud opens with."""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QObject, QSettings, Qt, QTimer

from osdesk.profiles import ProfileStore, ProfileStoreError, SecretStore
from osdesk.profiles.profile import Profile
from osdesk.views import dialogs

log = logging.getLogger(__name__)


class CloudActions(QObject):
    """The window's clouds: the saved ones (``store``, secrets in ``secrets``), those of
    clouds.yaml (read on a worker), and transient ones for this run (the demo cloud)."""

    def __init__(self, window, store: ProfileStore | None = None,
                 secrets: SecretStore | None = None):
        super().__init__(window)
        #: the cloud whose opening failed last (the banner's Edit cloud… / Retry)
        self.failed: Profile | None = None
        self.window = window
        self.store = store or ProfileStore()
        self.secrets = secrets or SecretStore()
        self.profiles: list[Profile] = []
        self.yaml_profiles: list[Profile] = []
        #: secrets of clouds.yaml clouds and those typed "for this session only"
        self._yaml_secrets: dict[str, str] = {}
        self._transient: dict[str, tuple[Profile, str | None]] = {}  # demo cloud etc.

    def transient(self, profile_id: str) -> Profile | None:
        entry = self._transient.get(profile_id)
        return entry[0] if entry else None

    def remember_for_session(self, profile_id: str, secret: str) -> None:
        """A secret typed at the prompt without "remember": in memory, this run only."""
        self._yaml_secrets[profile_id] = secret

    def load(self) -> None:
        problems = []
        try:
            self.profiles = self.store.load()
        except ProfileStoreError as exc:
            self.profiles = []
            problems.append(str(exc))
        for warning in getattr(self.store, "warnings", []):
            log.warning("%s", warning)
            problems.append(warning)
        if problems:
            # after the window is up; never silently: the user must know a file was set aside
            text = "\n\n".join(problems)
            QTimer.singleShot(0, lambda: self.window._spawn(dialogs.warn(self.window, "Saved clouds", text)))
        self.refresh_list()
        self.window._spawn(self.discover_clouds_yaml())

    async def discover_clouds_yaml(self) -> None:
        """clouds.yaml, secure.yaml and OS_* clouds, read off the GUI thread
        (openstacksdk's loader is slow to import), once the window shows its first rows
        (All clouds' from its snapshot, too): until then that import would compete with
        them."""
        from osdesk.profiles import discover_clouds
        await self.window.first_rows.wait()
        try:
            result = await self.window.runner.run("config", discover_clouds)
        except Exception as exc:  # a broken file must never stop the app
            self.window.statusBar().showMessage(f"clouds.yaml: {exc}", 15000)
            return
        self.yaml_profiles = []
        for profile, secret in result.profiles:
            self.yaml_profiles.append(profile)
            if secret:
                self._yaml_secrets[profile.id] = secret
        for err in result.errors:
            self.window.statusBar().showMessage(f"clouds.yaml: {err}", 15000)
        self.refresh_list()

    def refresh_list(self) -> None:
        transient = [p for p, _ in self._transient.values()]
        self.window.clouds_model.set_profiles(self.profiles + self.yaml_profiles + transient)
        self.window.welcome.set_has_clouds(bool(self.profiles or self.yaml_profiles))
        self.update_actions()

    def selected(self) -> Profile | None:
        index = self.window.clouds_view.currentIndex()
        return self.window.clouds_model.profile_at(index.row()) if index.isValid() else None

    def update_actions(self) -> None:
        p = self.selected()
        saved = p is not None and p.source == "saved"
        self.window.edit_cloud_action.setEnabled(p is not None and p.source != "demo")
        self.window.duplicate_cloud_action.setEnabled(p is not None)
        self.window.delete_cloud_action.setEnabled(saved)
        self.window.export_yaml_action.setEnabled(p is not None)
        self.window.export_openrc_action.setEnabled(p is not None)

    def all_profiles(self) -> list[Profile]:
        return self.profiles + self.yaml_profiles + [p for p, _ in self._transient.values()]

    def open_cloud_by_name(self, name: str) -> None:
        def find():
            for p in self.all_profiles():
                if name in (p.name, p.cloud_name, p.id):
                    return p
            return None
        profile = find()
        if profile is not None:
            self.window.open_profile(profile)
            return

        async def later():  # clouds.yaml entries arrive a moment after start
            for _ in range(50):
                await asyncio.sleep(0.1)
                p = find()
                if p is not None:
                    self.window.open_profile(p)
                    return
            self.window.statusBar().showMessage(f"No cloud named {name!r}.", 10000)
        self.window._spawn(later())

    def open_last_cloud(self) -> None:
        last = QSettings().value("last_cloud", "")
        if last:
            for p in self.profiles:
                if p.id == last:
                    self.window.open_profile(p)
                    return

    def add_transient_cloud(self, profile: Profile, secret: str | None) -> None:
        """A cloud for this run only (the demo cloud): listed, never saved."""
        self._transient[profile.id] = (profile, secret)
        self.refresh_list()

    def known_secret(self, profile: Profile) -> tuple[bool, str | None]:
        """(known?, secret) from what osdesk holds, without asking."""
        if profile.id in self._transient:
            return True, self._transient[profile.id][1]
        if profile.id in self._yaml_secrets:
            return True, self._yaml_secrets[profile.id]
        secret = self.secrets.get(profile.id)
        return (True, secret) if secret else (False, None)

    def on_add_cloud(self) -> None:
        self.open_profile_dialog(None, None)

    def on_edit_cloud(self) -> None:
        p = self.selected()
        if p is not None:
            self.open_profile_dialog(p, self.secrets.get(p.id) or self._yaml_secrets.get(p.id))

    def on_banner_link(self, link: str) -> None:
        """The failed cloud's banner: "edit" opens its dialog, "retry" opens it again."""
        profile = self.failed
        if profile is None:
            return
        if link == "edit":
            secret = (self.secrets.get(profile.id) or self._yaml_secrets.get(profile.id)
                      or (self._transient.get(profile.id) or (None, None))[1])
            self.open_profile_dialog(profile, secret)
        elif link == "retry":
            self.window.open_profile(profile)

    def on_duplicate_cloud(self) -> None:
        p = self.selected()
        if p is None:
            return
        import uuid
        copy = p.copy(id=uuid.uuid4().hex, name=f"{p.name} (copy)", source="saved",
                      cloud_name="")
        secret = (self.secrets.get(p.id) or self._yaml_secrets.get(p.id)
                  or (self._transient.get(p.id) or (None, None))[1])
        self.open_profile_dialog(copy, secret, is_new=True)

    def open_profile_dialog(self, profile: Profile | None, secret: str | None,
                             is_new: bool | None = None) -> None:
        from osdesk.views.profile_dialog import ProfileDialog
        dialog = ProfileDialog(profile, secret, self.secrets, self.window.runner, self.window)
        dialog.saved.connect(self.on_profile_saved)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialogs.fit_title(dialog)
        dialog.open()

    def on_profile_saved(self, profile: Profile, secret: str | None, store_secret: bool) -> None:
        existing = {p.id: i for i, p in enumerate(self.profiles)}
        if profile.id in existing:
            self.profiles[existing[profile.id]] = profile
        else:
            self.profiles.append(profile)
        try:
            self.store.save(self.profiles)
        except (OSError, ProfileStoreError) as exc:
            self.window._spawn(dialogs.warn(self.window, "Saving the cloud failed",
                                     f"The cloud could not be saved: {exc}"))
            return
        if secret:
            if store_secret:
                location = self.secrets.set(profile.id, secret)
                self.window.statusBar().showMessage(f"{profile.name}: secret {location.where_text}",
                                             10000)
            else:
                self._yaml_secrets[profile.id] = secret
        self.refresh_list()
        row = self.window.clouds_model.row_of(profile.id)
        if row is not None and row >= 0:
            self.window.clouds_view.setCurrentIndex(self.window.clouds_model.index(row, 0))

    def on_delete_cloud(self) -> None:
        p = self.selected()
        if p is not None and p.source == "saved":
            self.window._spawn(self.delete_cloud(p))

    async def delete_cloud(self, p: Profile) -> None:
        if not await dialogs.confirm(self.window, "Delete cloud", "Forget", "1 cloud", [p.name],
                                     "Its stored secret is deleted from the keyring, and the "
                                     "snapshot of its lists from the cache. Nothing in the "
                                     "cloud itself is touched."):
            return
        if self.window.session is not None and self.window.session.profile.id == p.id:
            self.window._close_session()
            self.window.stack.setCurrentWidget(self.window.welcome)
        self.profiles = [x for x in self.profiles if x.id != p.id]
        self.store.save(self.profiles)
        self.secrets.delete(p.id)
        self.window.snapshots.delete_cloud(p.id)
        self.refresh_list()

    def on_import_clouds_yaml(self) -> None:
        self.window._spawn(self.ask_import_clouds_yaml())

    async def ask_import_clouds_yaml(self) -> None:
        path = await dialogs.ask_path(self.window, "Import clouds.yaml",
                                      start=_existing("~/.config/openstack"),
                                      filters="clouds.yaml (*.yaml *.yml);;All files (*)")
        if path:
            await self.import_clouds_yaml(path)

    async def import_clouds_yaml(self, path: str) -> int:
        """Copy every cloud of a clouds.yaml file into the saved clouds. Returns the count.

        The file is read on a worker: openstacksdk's loader is slow to import and may
        fetch a vendor profile over the network.
        """
        from osdesk.profiles import discover_clouds
        result = await self.window.runner.run("config", discover_clouds, config_files=[path], env={})
        import uuid
        added = 0
        for profile, secret in result.profiles:
            saved = profile.copy(id=uuid.uuid4().hex, source="saved", cloud_name="")
            self.profiles.append(saved)
            if secret:
                self.secrets.set(saved.id, secret)
            added += 1
        if added:
            self.store.save(self.profiles)
            self.refresh_list()
        message = f"Imported {added} cloud(s) from {path}."
        if result.errors:
            message += "\n\nNot imported:\n" + "\n".join(result.errors)
        await dialogs.inform(self.window, "Import clouds.yaml", message)
        return added

    def on_export(self, kind: str) -> None:
        p = self.selected()
        if p is not None:
            self.window._spawn(self.ask_export(p, kind))

    async def ask_export(self, p: Profile, kind: str) -> None:
        import os
        default = f"{p.name}-clouds.yaml" if kind == "yaml" else f"{p.name}-openrc.sh"
        path = await dialogs.ask_path(self.window, "Export cloud", save=True,
                                      start=os.path.join(os.path.expanduser("~"), default))
        if path:
            include = await dialogs.ask_yes_no(
                self.window, "Export cloud",
                f"Include the {p.secret_kind} in the file? Anyone who can read the file can "
                f"then use the cloud as you.", yes=f"Include the {p.secret_kind}",
                no=f"Leave the {p.secret_kind} out")
            self.export_profile(p, kind, path, include_secret=include)

    def export_profile(self, profile: Profile, kind: str, path: str, *,
                       include_secret: bool = False) -> None:
        """Write a clouds.yaml entry or an openrc file; secrets only when asked (then 0600)."""
        import os
        from osdesk.profiles import export_clouds_yaml, export_openrc
        secret = None
        if include_secret:
            secret = (self.secrets.get(profile.id) or self._yaml_secrets.get(profile.id)
                      or (self._transient.get(profile.id) or (None, None))[1])
        text = (export_clouds_yaml if kind == "yaml" else export_openrc)(profile, secret)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if secret else 0o644)
            with os.fdopen(fd, "w") as f:
                f.write(text)
        except OSError as exc:
            self.window._spawn(dialogs.warn(self.window, "Export cloud", f"Could not write {path}: {exc}"))
            return
        self.window.statusBar().showMessage(f"Wrote {path}" + (" (with the secret, mode 0600)"
                                                        if secret else ""), 10000)

    def on_import_openrc(self) -> None:
        self.window._spawn(self.ask_import_openrc())

    async def ask_import_openrc(self) -> None:
        import os
        path = await dialogs.ask_path(self.window, "Import openrc file", start=os.path.expanduser("~"),
                                      filters="openrc (*.sh *openrc* *.rc);;All files (*)")
        if not path:
            return
        from osdesk.profiles import ProfileImportError, parse_openrc
        try:
            with open(path, "rb") as f:
                imported = parse_openrc(f.read(1024 * 1024))
        except (OSError, ProfileImportError) as exc:
            await dialogs.warn(self.window, "Import openrc file", str(exc))
            return
        self.open_profile_dialog(imported.profile, imported.secret, is_new=True)


def _existing(folder: str) -> str:
    """``folder`` (with ~ expanded) when it exists, else the home folder."""
    import os
    path = os.path.expanduser(folder)
    return path if os.path.isdir(path) else os.path.expanduser("~")
