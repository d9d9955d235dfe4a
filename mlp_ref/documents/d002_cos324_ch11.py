"""d002_cos324_ch11 — entries of document 002 (written in document order)."""
from __future__ import annotations
