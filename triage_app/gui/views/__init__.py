"""One module per navigation entry; each view is a QWidget following `gui.base.View`."""
