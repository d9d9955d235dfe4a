"""Progress for `mlp-ref report`: a tqdm bar per phase on a terminal, one summary line per phase in logs."""
from __future__ import annotations

import sys
import time


class Progress:
    """Callable `progress(done, total, label)` per phase (checks, series, ...), drawn on stderr."""

    def __init__(self, enabled: bool = True, stream=None):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._phase, self._bar, self._done, self._start = None, None, None, 0.0

    def phase(self, name: str):
        """Start a new phase; returns the callback for it."""
        self.close()
        self._phase, self._start = name, time.monotonic()
        return self.update

    def update(self, done: int, total: int, label: str = "") -> None:
        if not self.enabled:
            return
        self._done = (done, total)
        if not self.tty:  # a log, not a terminal: close() writes one line for the phase
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=self._phase, unit="check", file=self.stream, dynamic_ncols=True)
        if total and self._bar.total != total:
            self._bar.total = total
        self._bar.set_postfix_str(str(label)[:40], refresh=False)
        self._bar.update(max(0, done - self._bar.n))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self._done is not None:
            done, total = self._done
            self.stream.write(f"{self._phase}: {done}/{total} in {time.monotonic() - self._start:.1f} s\n")
            self.stream.flush()
        self._bar, self._done = None, None
