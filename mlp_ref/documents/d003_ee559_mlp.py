"""d003_ee559_mlp — entries of document 003 (written in document order)."""
from __future__ import annotations
