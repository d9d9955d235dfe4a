"""d001_tum_lecture7 — entries of document 001 (written in document order)."""
from __future__ import annotations
