"""A full disk (or a read-only, unwritable place) mid-render: one line naming the file and the cause,
exit 2, no temporary file left behind, the frames so far kept, and --resume finishes once there is
room. Injected (every file a render writes, one at a time) and real (a small tmpfs, when this
machine lets the tests mount one)."""
import builtins
import errno
import fnmatch
import io
import os
import subprocess
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from conftest import assert_one_line_error

pytestmark = pytest.mark.slow

ENOSPC = "No space left on device (free some space on that disk, then run the same command again; " \
         "a render keeps its frames and continues with --resume)"


class _Failing:
    """A file whose writes fail once a few bytes are in, as on a disk that has just filled up."""
    def __init__(self, f, code):
        self._f, self._code, self._room = f, code, 64

    def write(self, data):
        if len(data) <= self._room:
            self._room -= len(data)
            return self._f.write(data)
        self._f.write(data[:self._room])
        self._room = 0
        raise OSError(self._code, os.strerror(self._code))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()

    def __getattr__(self, name):
        return getattr(self._f, name)


@pytest.fixture
def disk(monkeypatch, tmp_path):
    """disk.fail(pattern, code): writes to files whose name matches `pattern` fail with `code`
    (the MP4: ffmpeg reports it, as on a full disk); disk.heal() lifts it."""
    real_open, patterns = builtins.open, []

    def fake_open(file, mode="r", *args, **kwargs):
        f = real_open(file, mode, *args, **kwargs)
        name = Path(os.fsdecode(file)).name if isinstance(file, (str, bytes, os.PathLike)) else ""
        hit = next((code for pattern, code in patterns if fnmatch.fnmatch(name, pattern)), None)
        return _Failing(f, hit) if hit and ("w" in mode or "a" in mode) else f

    fake_ffmpeg = tmp_path / "fake_ffmpeg"
    fake_ffmpeg.write_text("#!/bin/sh\ncat > /dev/null\n"
                           "echo 'av_interleaved_write_frame(): No space left on device' >&2\nexit 1\n")
    fake_ffmpeg.chmod(0o755)

    class Disk:
        def fail(self, pattern, code=errno.ENOSPC):
            if pattern.endswith(".mp4"):
                monkeypatch.setattr("imageio_ffmpeg.get_ffmpeg_exe", lambda: str(fake_ffmpeg))
            patterns.append((pattern, code))

        def heal(self):
            patterns.clear()
            monkeypatch.undo()

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)
    return Disk()


def leftovers(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if ".partial-" in p.name or p.name.endswith(".tmp") or p.name.endswith(".lock"))


# (file pattern, the file the line names, frames kept)
WHERE = {
    "a frame": (".frame_00002.partial-*", "anim.frames/frame_00002.png", 1),
    "the manifest": (".manifest.partial-*", "anim.frames/manifest.json", 0),
    "the GIF": (".anim.partial-*.gif", "anim.gif", 3),
    "the MP4": (".anim.partial-*.mp4", "anim.mp4", 3),
    "the sheet": (".anim.sheet.partial-*.png", "anim.sheet.png", 3),
    "the resolved preset": (".anim.preset.partial-*.yaml", "anim.preset.yaml", 3),
}


@pytest.mark.parametrize("where", WHERE)
def test_a_full_disk_is_one_line_and_resume_finishes(where, disk, write_preset, run_cli, tmp_path):
    pattern, named, kept = WHERE[where]
    preset = write_preset()
    disk.fail(pattern)
    code, _, err = run_cli("render", preset, "-o", tmp_path / "anim", "--quiet")
    assert_one_line_error(code, err, f"{tmp_path / named}: cannot write it: {ENOSPC}")
    assert leftovers(tmp_path) == []
    assert len(list(tmp_path.glob("anim.frames/frame_*.png"))) == kept
    disk.heal()
    code, out, err = run_cli("render", preset, "-o", tmp_path / "anim", "--resume", "--quiet")
    assert code == 0, err
    assert leftovers(tmp_path) == []
    assert {p.name for p in tmp_path.iterdir()} >= {"anim.gif", "anim.mp4", "anim.sheet.png", "anim.preset.yaml"}


def test_an_unwritable_folder_gets_a_hint_about_permissions(disk, write_preset, run_cli, tmp_path):
    disk.fail(".frame_00001.partial-*", errno.EACCES)
    code, _, err = run_cli("render", write_preset(), "-o", tmp_path / "anim", "--quiet")
    assert_one_line_error(code, err, f"{tmp_path / 'anim.frames' / 'frame_00001.png'}: cannot write it: "
                          "Permission denied (make that folder writable for you, or choose another place with -o)")
    assert "PNG or JPEG" not in err and leftovers(tmp_path) == []
    assert not (tmp_path / "anim.frames").exists()  # it held nothing: taken back


@pytest.fixture
def small_tmpfs(tmp_path):
    """A 40 KiB tmpfs at tmp_path/disk (root only); skipped where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_real_full_disk_then_resume_gives_the_uninterrupted_frames(small_tmpfs, write_preset, run_cli, tmp_path):
    preset = write_preset(frames=8)
    code, _, err = run_cli("render", preset, "-o", tmp_path / "whole", "--quiet")
    assert code == 0, err
    base = small_tmpfs / "anim"
    code, _, err = run_cli("render", preset, "-o", base, "--quiet")
    assert_one_line_error(code, err, str(small_tmpfs), ": No space left on device (free some space")
    assert leftovers(small_tmpfs) == []
    kept = sorted(small_tmpfs.glob("anim.frames/frame_*.png"))
    assert 0 < len(kept) < 8, err  # (the disk filled up among the frames)

    subprocess.run(["mount", "-o", "remount,ro", str(small_tmpfs)], check=True)  # and read-only meanwhile
    code, _, err = run_cli("render", preset, "-o", base, "--resume", "--quiet")
    assert_one_line_error(code, err, f"{base}: cannot create the lock file", "Read-only file system",
                          "that file system is read-only: choose another place with -o")

    subprocess.run(["mount", "-o", "remount,rw,size=4m", str(small_tmpfs)], check=True)  # space freed
    code, _, err = run_cli("render", preset, "-o", base, "--resume", "--quiet")
    assert code == 0, err
    assert leftovers(small_tmpfs) == []
    whole = [iio.imread(p) for p in sorted((tmp_path / "whole.frames").glob("frame_*.png"))]
    resumed = [iio.imread(p) for p in sorted(small_tmpfs.glob("anim.frames/frame_*.png"))]
    assert len(resumed) == 8 and all(np.array_equal(a, b) for a, b in zip(whole, resumed))
