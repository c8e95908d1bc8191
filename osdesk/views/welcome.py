"""The first screen: what to do when no cloud is open."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from osdesk.views.icons import app_icon, icon


class WelcomePage(QWidget):
    """Offers: add a cloud, import clouds.yaml, open the demo cloud.

    Signals:
        addRequested(), importRequested(), demoRequested()
    """

    addRequested = Signal()
    importRequested = Signal()
    demoRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(96, 96))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = QLabel("<h1>Welcome to osdesk</h1>")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QLabel()
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setWordWrap(True)
        # a fixed width, and the height that width needs (set_has_clouds): a word-wrapped
        # label centred in a box layout got one line's height and the sentence was cut off
        self.text.setFixedWidth(560)
        # Alt+A, Alt+I, Alt+O: none of the menu bar's letters (Cloud, Servers, View, Go, Help)
        self.add_button = QPushButton(icon("add"), "&Add a cloud…")
        self.import_button = QPushButton(icon("import"), "&Import clouds.yaml…")
        self.demo_button = QPushButton(icon("cloud"), "&Open the demo cloud")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.add_button, self.import_button, self.demo_button):
            b.setMinimumHeight(36)
            b.setMinimumWidth(190)
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(logo)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(16)
        layout.addLayout(buttons)
        layout.addStretch(3)
        self.add_button.clicked.connect(self.addRequested)
        self.import_button.clicked.connect(self.importRequested)
        self.demo_button.clicked.connect(self.demoRequested)
        self.set_has_clouds(False)

    def set_has_clouds(self, has: bool) -> None:
        if has:
            self.text.setText("Pick a cloud on the left (double-click or Enter) to open it, "
                              "or add another one.")
        else:
            self.text.setText("No cloud is configured yet. Add one with its auth URL and "
                              "credentials, import your <tt>clouds.yaml</tt>, or try every "
                              "feature on the built-in demo cloud — no account needed.")
        self.text.setMinimumHeight(self.text.heightForWidth(self.text.width()))
