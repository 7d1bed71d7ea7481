"""--out FILE: the whole export or nothing, never over an existing file without --force."""

from __future__ import annotations

import os
import stat

import pytest

from testkit import expect_error

from .helpers import export


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_out_writes_what_stdout_would(xd, tmp_path):
    target = tmp_path / "requests.csv"
    result = export(xd, "boss", "requests", "--format", "csv", "--out", target)
    assert result.stdout == ""
    assert result.stderr == f"Exported requests to {target}: 3 rows.\n"
    assert target.read_text(encoding="utf-8") == export(xd, "boss", "requests", "--format", "csv").stdout
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert leftovers(tmp_path) == []


def test_an_existing_file_needs_force(xd, tmp_path):
    target = tmp_path / "events.jsonl"
    target.write_text("keep me\n")
    expect_error(export(xd, "boss", "events", "--out", target, code=None), 2,
                 f"{target} exists; add --force to replace it or choose another --out")
    assert target.read_text() == "keep me\n"
    export(xd, "boss", "events", "--out", target, "--force")
    assert target.read_text() == export(xd, "boss", "events").stdout


def test_a_link_a_pipe_or_a_device_is_never_replaced_even_with_force(xd, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = tmp_path / "out.jsonl"
    link.symlink_to(victim)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in (link, fifo):
        expect_error(export(xd, "boss", "kudos", "--out", target, "--force", code=None), 2,
                     f"--out {target} is not a regular file (a link, device or pipe); write "
                     "to a file, or use --out - for standard output")
    assert link.is_symlink() and victim.read_text() == "precious\n"
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_failure_halfway_leaves_the_old_file(xd, tmp_path, monkeypatch):
    from isvc.services import export as svc

    target = tmp_path / "events.jsonl"
    target.write_text("old\n")

    def broken(row):
        if row["id"] == 3:
            raise OSError(28, "No space left on device")
        return row

    monkeypatch.setattr(svc, "_event_row", broken)
    expect_error(export(xd, "boss", "events", "--out", target, "--force", code=None), 1,
                 f"cannot write {target}: No space left on device; nothing was written")
    assert target.read_text() == "old\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("args, message", [
    (["--force"], "--force goes with --out FILE (it lets the export replace FILE)"),
    (["--out", "{tmp}"], "--out {tmp} is a folder; name a file in it, e.g. {tmp}/requests.csv"),
    (["--out", "{tmp}/missing/x.csv"], "--out {tmp}/missing/x.csv: {tmp}/missing does not exist; choose another --out"),
    (["--out", ""], "--out needs a file name (or - for standard output)"),
])
def test_out_mistakes(xd, tmp_path, args, message):
    args = [a.format(tmp=tmp_path) for a in args]
    expect_error(export(xd, "boss", "requests", *args, code=None), 2, message.format(tmp=tmp_path))
    assert leftovers(tmp_path) == []


def test_nothing_is_written_when_the_export_is_refused(xd, tmp_path):
    target = tmp_path / "x.jsonl"
    export(xd, "pat", "requests", "--out", target, code=2)
    export(xd, "boss", "requests", "--since", "2099-01-01", "--out", target, code=2)
    assert not target.exists() and leftovers(tmp_path) == []


def test_dash_is_stdout(xd):
    assert export(xd, "boss", "kudos", "--out", "-").stdout == export(xd, "boss", "kudos").stdout
