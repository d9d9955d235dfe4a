"""d000_fau_layers — entries of document 000 (written in document order)."""
from __future__ import annotations
