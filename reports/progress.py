"""A progress bar for `mlp-ref report`: tqdm when installed, else a one-line bar on stderr."""
from __future__ import annotations

import sys
import time


class Progress:
    """Callable `progress(done, total, label)` that draws one bar per phase (checks, series, ...)."""

    def __init__(self, enabled: bool = True, stream=None):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self._phase = None
        self._bar = None
        self._last = 0.0
        self._start = time.monotonic()
        self._done = (0, 0)
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        try:
            from tqdm import tqdm
        except ImportError:
            tqdm = None
        self._tqdm = tqdm

    def phase(self, name: str):
        """Start a new phase; returns the callback for it."""
        self.close()
        self._phase = name
        self._start = time.monotonic()

        def callback(done, total, label=""):
            self.update(done, total, label)

        return callback

    def update(self, done: int, total: int, label: str = "") -> None:
        if not self.enabled:
            return
        self._done = (done, total)
        if not self.tty:  # a log, not a terminal: one line per phase, written by close()
            self._bar = "log"
            return
        if self._tqdm is not None:
            if self._bar is None:
                self._bar = self._tqdm(total=total, desc=self._phase, unit="step", leave=True,
                                       file=self.stream, dynamic_ncols=True)
            if total and self._bar.total != total:
                self._bar.total = total
            self._bar.set_postfix_str(str(label)[:40], refresh=False)
            self._bar.update(max(0, done - self._bar.n))
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:  # redraw at most ten times a second
            return
        self._last = now
        width = 28
        frac = done / total if total else 1.0
        fill = int(round(width * frac))
        text = f"\r{self._phase or ''} [{'#' * fill}{'.' * (width - fill)}] {done}/{total} {str(label)[:40]:<40}"
        self.stream.write(text)
        self.stream.flush()
        self._bar = True

    def close(self) -> None:
        if self._bar is None:
            return
        if isinstance(self._bar, str):  # "log"
            done, total = self._done
            self.stream.write(f"{self._phase}: {done}/{total} in {time.monotonic() - self._start:.1f} s\n")
            self.stream.flush()
        elif self._tqdm is not None and self._bar is not True:
            self._bar.close()
        elif self._bar is True:
            self.stream.write("\n")
            self.stream.flush()
        self._bar = None
