"""The desktop application (PySide6): a thin front end over the Qt-free engine."""
