"""Qarina: offline forensic triage of seized devices."""

__version__ = "0.1.0"
