"""What the models that merge rows in place share: runs of rows, flags, the layout signal."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt

__all__ = ["LAYOUT_SIG", "item_flags", "runs"]

#: the layoutChanged overload that carries a hint; a plain emit() takes no arguments in PySide6
LAYOUT_SIG = "QList<QPersistentModelIndex>,QAbstractItemModel::LayoutChangeHint"

_READ_ONLY = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
              | Qt.ItemFlag.ItemNeverHasChildren)


def item_flags(index) -> Qt.ItemFlag:
    """The flags of a read-only, selectable cell of a flat model."""
    return _READ_ONLY if index.isValid() else Qt.ItemFlag.NoItemFlags


def runs(positions: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted positions as inclusive (first, last) runs: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    out: list[tuple[int, int]] = []
    for pos in positions:
        if out and pos == out[-1][1] + 1:
            out[-1] = (out[-1][0], pos)
        else:
            out.append((pos, pos))
    return out
