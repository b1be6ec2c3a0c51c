"""Progress bars show on a terminal and stay out of pipes: `xxgk` run on a pseudo-terminal
draws them (with their rates, and the time left where the total is known); run into a pipe, the
same command writes none."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import termios
from pathlib import Path

import pytest

from tests.test_cli import SEED, XXGK

#: What only a bar writes: a carriage return, a rate, the time left.
BAR_MARKS = (b"\r", b"/s]", b"/s,", b"<00:")


def on_a_terminal(*args: str, cwd: Path) -> tuple[int, bytes]:
    """`xxgk args` with its stdout and stderr a pseudo-terminal of 120 × 40; what it wrote."""
    terminal, its_side = pty.openpty()
    fcntl.ioctl(its_side, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    command = subprocess.Popen(
        [str(XXGK), *args], stdin=subprocess.DEVNULL, stdout=its_side, stderr=its_side, cwd=cwd
    )
    os.close(its_side)
    written = bytearray()
    while select.select([terminal], [], [], 300)[0]:
        try:
            chunk = os.read(terminal, 1 << 16)
        except OSError:  # EIO: every writer has closed the terminal
            break
        if not chunk:
            break
        written += chunk
    os.close(terminal)
    return command.wait(timeout=60), bytes(written)


def into_a_pipe(*args: str, cwd: Path) -> tuple[int, bytes]:
    done = subprocess.run(
        [str(XXGK), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300, cwd=cwd
    )
    return done.returncode, done.stdout


def bar(written: bytes, desc: str, unit: str, total: int | None = None) -> list[bytes]:
    """The drawings of the bar `desc`: with its rate (in `unit`s a second, or seconds a `unit`),
    and with the time left if it has a total."""
    counted = rb"\d+/%d \[[\d:]+<[\d:?]+" % total if total else rb"\d+%s \[[\d:]+" % unit
    rate = rb"(%s/s|s/%s)" % (unit, unit)
    return re.findall(rb"%s: [^\r\n]{0,500}?%s, +[\d.?]+ ?%s" % (desc, counted, rate), written)


def test_parse_draws_its_bar_on_a_terminal_and_none_into_a_pipe(tmp_path: Path) -> None:
    files = [str(SEED), str(tmp_path / "absent.pdf")]
    status, written = on_a_terminal("parse", "--jsonl", *files, cwd=tmp_path)
    assert status == 0, written
    assert bar(written, b"files parsed", b"file", total=2), written
    assert written.count(b'"source"') == 2  # each record whole, above the bar
    status, piped = into_a_pipe("parse", "--jsonl", *files, cwd=tmp_path)
    assert status == 0, piped
    assert not [mark for mark in (*BAR_MARKS, b"files parsed") if mark in piped], piped


@pytest.mark.slow
def test_demo_draws_portals_pages_and_documents_on_a_terminal(tmp_path: Path) -> None:
    """The pages bar is the crawl's own, drawn by its process; the portals and documents bars
    are this process's, while Dagster runs the pipeline in it."""
    data = str(tmp_path / "data")
    status, written = on_a_terminal("demo", "--port", "0", "--data", data, cwd=tmp_path)
    assert status == 0, written
    assert bar(written, b"pages fetched", b"page"), written
    assert re.search(rb"pages fetched: [^\r\n]*/s, \d+ not fetched, \d+ queued\]", written)
    assert bar(written, b"documents parsed", b"document", total=7), written
    assert bar(written, b"portals", b"site", total=1), written
    # what a line ends as on the screen: after its last carriage return, the bars it cleared
    shown = [line.rstrip("\r").rsplit("\r", 1)[-1] for line in written.decode().split("\n")]
    crawling = [line for line in shown if "spiders.portal INFO crawling portal" in line]
    assert crawling and all(line.removeprefix("\x1b[K").startswith("20") for line in crawling)
    assert "xxgk pipeline finished" in shown
