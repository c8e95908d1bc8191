"""Draws a cloud in the clouds list: its name and, below it, project · region · source."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from osdesk.models.clouds_model import CloudListModel


#: the dot beside a cloud's name: how it last answered
_HEALTH_COLOURS = {"connected": "#2e9d4f", "connecting": "#6c8ebf", "needs-password": "#d39e00",
                   "unreachable": "#dc3545", "stale": "#9a7d0a"}


class CloudDelegate(QStyledItemDelegate):
    def paint(self, painter, option, index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        subtitle = index.data(CloudListModel.SubtitleRole) or ""
        title = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect = opt.rect.adjusted(8, 4, -6, -4)
        painter.save()
        font = opt.font
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(opt.palette.color(group))
        line = opt.fontMetrics.height()
        health = index.data(CloudListModel.HealthRole)
        title_width = rect.width()
        if health is not None:
            title_width -= self._paint_health(painter, opt, rect, line, health, selected)
            painter.setFont(font)
            painter.setPen(opt.palette.color(group))
        painter.drawText(QRect(rect.left(), rect.top(), title_width, line),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         opt.fontMetrics.elidedText(title, Qt.TextElideMode.ElideRight, title_width))
        font.setBold(False)
        font.setPointSizeF(max(font.pointSizeF() * 0.9, 7))
        painter.setFont(font)
        if not selected:
            painter.setPen(opt.palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(QRect(rect.left(), rect.top() + line + 2, rect.width(), line),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         painter.fontMetrics().elidedText(subtitle, Qt.TextElideMode.ElideRight,
                                                          rect.width()))
        painter.restore()

    @staticmethod
    def _paint_health(painter, opt, rect, line, health, selected) -> int:
        """A coloured dot and the short state ("42 ms", "needs password") at the right of
        the title line; returns the width it took."""
        state, short = health[0], health[1]
        colour = QColor(_HEALTH_COLOURS.get(state, "#6c757d"))
        font = QFont(opt.font)
        font.setBold(False)
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 7))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        text_w = metrics.horizontalAdvance(short)
        dot = max(6, line // 2 - 1)
        right = rect.right()
        painter.setPen(opt.palette.color(QPalette.ColorRole.HighlightedText if selected
                                         else QPalette.ColorRole.PlaceholderText))
        painter.drawText(QRect(right - text_w, rect.top(), text_w, line),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, short)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.drawEllipse(right - text_w - dot - 5, rect.top() + (line - dot) // 2, dot, dot)
        return text_w + dot + 12

    def sizeHint(self, option, index) -> QSize:
        line = option.fontMetrics.height()
        return QSize(200, line * 2 + 12)
