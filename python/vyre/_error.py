"""vyre.Error: every failure of the library, as a structured diagnostic."""

from __future__ import annotations

from typing import Optional, Sequence, Tuple


class Error(Exception):
    """A vyre diagnostic raised as an exception.

    Attributes:
        code: the stable catalogue code, e.g. ``"VY4008"`` (``vyre explain CODE`` on the
            command line explains it).
        message: what went wrong.
        help: how to fix it.
        location: ``(line, column)`` in the kernel text, or ``None``.
        path: where in the program or object it happened ("kernel saxpy > body[1]").
        file: the source file, when known.
        notes: related positions, as ``(message, location)`` pairs.
        more: further independent errors found in the same pass, as ``(code, message, help)``.
    """

    def __init__(
        self,
        code: str,
        message: str,
        help: str = "",
        location: Optional[Tuple[int, int]] = None,
        path: str = "",
        file: str = "",
        notes: Sequence[tuple] = (),
        more: Sequence[tuple] = (),
        rendered: str = "",
    ) -> None:
        super().__init__(rendered or f"error[{code}]: {message}\nhelp: {help}")
        self.code = code
        self.message = message
        self.help = help
        self.location = location
        self.path = path
        self.file = file
        self.notes = list(notes)
        self.more = list(more)
