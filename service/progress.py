"""Progress bars for long jobs (rebuild, import, demo data); silent when disabled or not on a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

Advance = Callable[[int], None]


@contextmanager
def progress_bar(
    description: str, total: int | None, *, enabled: bool, unit: Literal["items", "bytes"] = "items"
) -> Iterator[Advance]:
    """`unit="bytes"` follows a file read as a stream, whose record count is unknown until its end.

    While the bar shows, rich renders what the program prints to stdout or stderr above it.
    """
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda _n: None
        return
    counts: tuple[ProgressColumn, ...] = (
        (DownloadColumn(), TransferSpeedColumn())
        if unit == "bytes"
        else (MofNCompleteColumn(), TextColumn("{task.speed:>8.0f}/s" if total else ""))
    )
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        *counts,
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
