"""The cloud switcher's model: saved profiles and clouds.yaml entries, merged by profile id."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QModelIndex, Qt

from osdesk.models.merging import LAYOUT_SIG, item_flags, runs
from osdesk.profiles.profile import Profile

__all__ = ["CloudListModel", "subtitle_of"]

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_USER = int(Qt.ItemDataRole.UserRole)
_NO_HINT = QAbstractItemModel.LayoutChangeHint.NoLayoutChangeHint

#: the marker of profiles read from clouds.yaml (edited in the file, not in osdesk)
CLOUDS_YAML = "clouds.yaml"


def subtitle_of(profile: Profile, open_scope: str = "") -> str:
    """``demo · RegionOne · clouds.yaml``: scope (the open project's, for the open cloud),
    region, and where the profile comes from."""
    parts = [open_scope or profile.scope_label]
    if profile.region_name:
        parts.append(profile.region_name)
    if profile.source == CLOUDS_YAML:
        parts.append(CLOUDS_YAML)
    return " · ".join(p for p in parts if p)


def _tooltip_of(profile: Profile) -> str:
    lines = [profile.name, profile.auth_url]
    who = profile.username or profile.user_id or profile.application_credential_name \
        or profile.application_credential_id
    if who:
        lines.append(f"{profile.auth_type}: {who}")
    if profile.source == CLOUDS_YAML:
        lines.append(f"from clouds.yaml ({profile.cloud_name or profile.name}); "
                     "edit it in the file")
    return "\n".join(lines)


class CloudListModel(QAbstractListModel):
    """One row per :class:`Profile`, in the order ``set_profiles`` gives.

    ``set_profiles`` merges by ``Profile.id`` (insert, update, remove, reorder in
    place), so the current cloud stays selected while the list is edited.
    """

    #: a second line for the delegate: scope · region · "clouds.yaml"
    SubtitleRole = Qt.ItemDataRole.UserRole
    #: the Profile object
    ProfileRole = Qt.ItemDataRole.UserRole + 1
    #: the profile id
    IdRole = Qt.ItemDataRole.UserRole + 2
    #: how the cloud last answered: (state, short text, detail) or None (not asked)
    HealthRole = Qt.ItemDataRole.UserRole + 3

    def __init__(self, profiles: Iterable[Profile] = (), parent=None):
        super().__init__(parent)
        self._profiles: list[Profile] = []
        #: (profile id, the scope it is open in): that row names the open project
        self._open: tuple[str, str] = ("", "")
        self._health: dict[str, tuple[str, str, str]] = {}
        self.set_profiles(profiles)

    # ------------------------------------------------------------------ Qt API
    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._profiles)

    def flags(self, index):
        return item_flags(index)

    def data(self, index, role=_DISPLAY):
        if not index.isValid() or not 0 <= index.row() < len(self._profiles):
            return None
        profile = self._profiles[index.row()]
        if role == _DISPLAY:
            return profile.name
        if role == _USER:
            return subtitle_of(profile, self._open[1] if profile.id == self._open[0] else "")
        if role == _USER + 1:
            return profile
        if role == _USER + 2:
            return profile.id
        if role == _USER + 3:
            return self._health.get(profile.id)
        if role == _TOOLTIP:
            health = self._health.get(profile.id)
            tip = _tooltip_of(profile)
            if health is not None:
                tip += f"\n{health[1]}" + (f": {health[2]}" if health[2] else "")
            return tip
        return None

    # ------------------------------------------------------------------ public API
    def profiles(self) -> list[Profile]:
        return list(self._profiles)

    def profile_at(self, row: int) -> Profile | None:
        return self._profiles[row] if 0 <= row < len(self._profiles) else None

    def row_of(self, profile_id: str) -> int:
        """The row of a profile id, or -1."""
        for row, profile in enumerate(self._profiles):
            if profile.id == profile_id:
                return row
        return -1

    def set_open(self, profile_id: str = "", scope: str = "") -> None:
        """The cloud that is open and its project (the user may have switched project)."""
        rows = {self.row_of(self._open[0]), self.row_of(profile_id)} - {-1}
        self._open = (profile_id, scope)
        for row in rows:
            self.dataChanged.emit(self.index(row), self.index(row), [_USER])

    def set_health(self, profile_id: str, health: tuple[str, str, str] | None) -> None:
        """How the cloud answered (the inventory's login): drawn beside its name."""
        if self._health.get(profile_id) == health:
            return  # drawn already (a snapshot's rows arrive a chunk at a time)
        if health is None:
            self._health.pop(profile_id, None)
        else:
            self._health[profile_id] = health
        row = self.row_of(profile_id)
        if row >= 0:
            self.dataChanged.emit(self.index(row), self.index(row), [_USER + 3, _TOOLTIP])

    def profile(self, profile_id: str) -> Profile | None:
        return self.profile_at(self.row_of(profile_id))

    def set_profiles(self, profiles: Iterable[Profile]) -> None:
        """Show exactly ``profiles`` (in that order), merging by id: never a reset."""
        wanted: dict[str, Profile] = {}
        for profile in profiles:
            wanted[profile.id] = profile  # a repeated id: the last one wins
        # removed, in contiguous runs from the bottom so earlier rows keep their numbers
        gone = [row for row, p in enumerate(self._profiles) if p.id not in wanted]
        for start, end in reversed(runs(gone)):
            self.beginRemoveRows(QModelIndex(), start, end)
            del self._profiles[start:end + 1]
            self.endRemoveRows()
        # changed
        for row, old in enumerate(self._profiles):
            new = wanted[old.id]
            if new is not old and new != old:
                self._profiles[row] = new
                index = self.index(row, 0)
                self.dataChanged.emit(index, index)
            elif new is not old:
                self._profiles[row] = new  # equal: keep the caller's object, no signal
        # added
        known = {p.id for p in self._profiles}
        added = [p for pid, p in wanted.items() if pid not in known]
        if added:
            start = len(self._profiles)
            self.beginInsertRows(QModelIndex(), start, start + len(added) - 1)
            self._profiles.extend(added)
            self.endInsertRows()
        # reordered: a layout change that keeps persistent indexes (the selection)
        order = list(wanted)
        if [p.id for p in self._profiles] != order:
            self.layoutAboutToBeChanged[LAYOUT_SIG].emit([], _NO_HINT)
            where = {pid: row for row, pid in enumerate(order)}
            old_persistent = self.persistentIndexList()
            new_persistent = [self.index(where[self._profiles[i.row()].id], i.column())
                              for i in old_persistent]
            self._profiles.sort(key=lambda p: where[p.id])
            self.changePersistentIndexList(old_persistent, new_persistent)
            self.layoutChanged[LAYOUT_SIG].emit([], _NO_HINT)

