"""Security groups: create and describe them; their rules as a real table with add,
delete and quick rules (SSH, ICMP, HTTP/HTTPS, RDP) whose source range is shown and
editable — never silently 0.0.0.0/0."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from osdesk.api import OsdeskError
from osdesk.rules.security_rules import (PROTOCOLS, QUICK_RULES, cidr_problem, ports_text,
                                         protocol_text, quick_fields, remote_text, rule_fields)
from osdesk.runtime.runner import Stale
from osdesk.views import dialogs
from osdesk.views.form_dialog import CheckedFormDialog, form_rows
from osdesk.views.page_actions import FAILED, PageActions
from osdesk.views.shortcuts import give_button_mnemonics
from osdesk.views.validation import FormProblems, Problem, message_line

#: the source range a quick rule starts with; shown, and editable, before anything is sent
DEFAULT_SOURCE = "0.0.0.0/0"


class GroupDialog(CheckedFormDialog):
    def __init__(self, parent: QWidget | None, title: str, name: str = "", description: str = ""):
        super().__init__(title, "Save" if name else "Create", 440, parent)
        self.name_edit = QLineEdit(name)
        self.description_edit = QLineEdit(description)
        self._finish(form_rows(("Name", self.name_edit), ("Description", self.description_edit)),
                     self.name_edit)

    def problems(self) -> list[str]:
        return [] if self.name_edit.text().strip() else [
            Problem("Give the security group a name.", self.name_edit)]

    def values(self) -> dict:
        return {"name": self.name_edit.text().strip(),
                "description": self.description_edit.text().strip()}


class RulesDialog(QDialog):
    """One group's rules. Adding or deleting one calls ``on_add(fields)`` /
    ``on_delete(rule)`` (coroutines the page's actions run), then shows the group again."""

    HEADERS = ("Direction", "Ether type", "Protocol", "Ports", "Remote", "Description")

    def __init__(self, parent: QWidget | None, group: dict, *, on_add, on_delete):
        super().__init__(parent)
        self.setWindowTitle(f"Rules of {group.get('name') or group['id']}")
        self.resize(820, 460)
        self.on_add, self.on_delete = on_add, on_delete
        self.rules: list[dict] = []
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.delete_button = QPushButton("Delete rule")
        self.delete_button.clicked.connect(self._delete)
        self.table.itemSelectionChanged.connect(
            lambda: self.delete_button.setEnabled(bool(self.selected())))
        # the add row: protocol, ports, source range
        self.protocol_combo = QComboBox()
        self.protocol_combo.addItems([p.upper() if p != "any" else "Any" for p in PROTOCOLS])
        self.ports_edit = QLineEdit()
        self.ports_edit.setPlaceholderText("22 or 8000-8080")
        self.source_edit = QLineEdit(DEFAULT_SOURCE)
        self.source_edit.setToolTip("Which addresses may connect. 0.0.0.0/0 is the whole "
                                    "internet; your office's range is safer.")
        self.add_button = QPushButton("Add rule")
        self.add_button.clicked.connect(self._add)
        add_row = QHBoxLayout()
        for label, widget in (("Protocol", self.protocol_combo), ("Ports", self.ports_edit),
                              ("From", self.source_edit)):
            add_row.addWidget(QLabel(label))
            add_row.addWidget(widget, 1 if widget is not self.protocol_combo else 0)
        add_row.addWidget(self.add_button)
        quick_row = QHBoxLayout()
        quick_row.addWidget(QLabel("Quick inbound rules from the range above:"))
        self.quick_buttons = {}
        for quick in QUICK_RULES:
            button = QPushButton(quick.label)
            button.clicked.connect(lambda _=False, k=quick.key: self._quick(k))
            quick_row.addWidget(button)
            self.quick_buttons[quick.key] = button
        quick_row.addStretch(1)
        self.problem = message_line()
        self.checker = FormProblems(self.problem, None, self)
        self.checker.watch(self.ports_edit, self.source_edit)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.delete_button)
        layout.addLayout(top)
        layout.addLayout(add_row)
        layout.addLayout(quick_row)
        layout.addWidget(self.problem)
        layout.addWidget(close)
        give_button_mnemonics(self)
        self.show_group(group)

    def show_group(self, group: dict) -> None:
        self.rules = sorted(group.get("security_group_rules") or [],
                            key=lambda r: (r.get("direction") != "ingress",
                                           r.get("ethertype") or "", r.get("protocol") or "",
                                           r.get("port_range_min") or 0))
        self.table.setRowCount(len(self.rules))
        for row, rule in enumerate(self.rules):
            cells = ("in" if rule.get("direction") == "ingress" else "out",
                     rule.get("ethertype") or "", protocol_text(rule), ports_text(rule),
                     remote_text(rule), rule.get("description") or "")
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.delete_button.setEnabled(bool(self.selected()))

    def selected(self) -> list[dict]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.rules[r] for r in rows if r < len(self.rules)]

    def say(self, text: str, field: QWidget | None = None) -> None:
        """Show ``text`` (about ``field``) in the message line, the shared way; "" clears."""
        self.checker.revealed = bool(text)
        self.checker.show([Problem(text, field)] if text else [])

    def _add(self) -> None:
        why = cidr_problem(self.source_edit.text())
        try:
            fields = rule_fields(self.protocol_combo.currentText(), self.ports_edit.text(),
                                 self.source_edit.text())
        except ValueError as exc:
            self.say(str(exc), self.source_edit if why else self.ports_edit)
            return
        self.say("")
        self.on_add(fields)

    def _quick(self, key: str) -> None:
        problem = cidr_problem(self.source_edit.text())
        if problem:
            self.say(problem, self.source_edit)
            return
        self.say("")
        self.on_add(quick_fields(key, self.source_edit.text()))

    def _delete(self) -> None:
        for rule in self.selected():
            self.on_delete(rule)


class SecurityGroupActions(PageActions):
    """Security groups: create, rename or describe, edit rules."""

    def on_create(self):
        self.spawn(self.ask_create())

    async def ask_create(self):
        values = await dialogs.accepted(GroupDialog(self.page, "Create security group"))
        if values:
            await self._do("Create security group",
                           self.session.cloud.network.create_security_group, **values)

    async def ask_edit(self, rows):
        group = rows[0]
        values = await dialogs.accepted(GroupDialog(self.page, f"Edit {group.get('name')}",
                                             group.get("name") or "",
                                             group.get("description") or ""))
        if values:
            await self._do("Edit security group",
                           self.session.cloud.network.update_security_group, group["id"],
                           **values)

    async def _do(self, title: str, fn, *args, **kwargs):
        if await self.attempt(title, fn, *args, **kwargs) is not FAILED:
            self.changed()

    async def ask_rules(self, rows):
        group = rows[0]
        net = self.session.cloud.network
        dialog = None

        async def reload():
            try:
                fresh = await self.call(net.get, "security-groups", group["id"])
            except (Stale, OsdeskError):
                return
            if dialog is not None and dialog.isVisible():
                dialog.show_group(fresh)

        async def add(fields):
            try:
                await self.call(net.create_security_group_rule, group["id"], **fields)
            except Stale:
                return
            except OsdeskError as exc:  # e.g. the rule exists already: the cloud's words
                dialog.say(html.unescape(str(exc)))
                return
            await reload()
            self.changed()

        async def delete(rule):
            try:
                await self.call(net.delete_security_group_rule, rule["id"])
            except Stale:
                return
            except OsdeskError as exc:
                dialog.say(str(exc))
                return
            await reload()
            self.changed()

        dialog = RulesDialog(self.page, group, on_add=lambda f: self.spawn(add(f)),
                             on_delete=lambda r: self.spawn(delete(r)))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        try:
            await dialogs.shown(dialog)
        finally:
            dialogs.dispose(dialog)
