"""Frames are written on a background thread while the next one dreams (rendering/store.py): an
interrupt or a full disk while a frame is being written still keeps every frame that reached the
disk, and --resume continues bit for bit. The writes are slowed here so one is always pending."""
import errno
import time

import imageio.v3 as iio
import numpy as np
import pytest

from conftest import Interrupt, assert_one_line_error
from dreamanim.preset import load_preset
from dreamanim.rendering import store as store_module
from dreamanim.rendering.loop import render
from dreamanim.rendering.plan import Plan
from test_full_disk import ENOSPC, disk, leftovers  # noqa: F401  (disk: the fixture)

pytestmark = pytest.mark.slow


@pytest.fixture
def slow_writes(monkeypatch):
    """Every frame's PNG takes 0.3 s more, so the next step of the render finds it still pending."""
    real = store_module.write_png

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return real(*args, **kwargs)
    monkeypatch.setattr(store_module, "write_png", slow)


def frames_of(base):
    return [iio.imread(p) for p in sorted(base.parent.glob(f"{base.name}.frames/frame_*.png"))]


@pytest.mark.parametrize("second_interrupt", [False, True], ids=["ctrl-c", "ctrl-c twice"])
def test_an_interrupt_while_frame_0_is_written_keeps_it_and_resume_is_exact(
        second_interrupt, slow_writes, monkeypatch, write_preset, tmp_path):
    preset = load_preset(write_preset(frames=3))
    render(Plan(preset), tmp_path / "whole")
    pressed = []
    if second_interrupt:  # the user presses Ctrl-C again while the store waits for the write
        from concurrent.futures import Future
        for name in ("result", "exception"):
            real_wait = getattr(Future, name)

            def wait(self, timeout=None, real_wait=real_wait):
                if not pressed and not self.done():
                    pressed.append(True)
                    raise KeyboardInterrupt  # as a SIGINT lands in the wait
                return real_wait(self, timeout)
            monkeypatch.setattr(Future, name, wait)
    with pytest.raises(KeyboardInterrupt):
        render(Plan(preset), tmp_path / "cut", progress=Interrupt(after=1))  # right after frame 0's save
    monkeypatch.undo()
    assert pressed or not second_interrupt
    assert len(frames_of(tmp_path / "cut")) == 1  # frame 0 reached the disk, with its manifest
    resumed = render(Plan(preset), tmp_path / "cut", resume=True)
    assert resumed.rendered == 2
    assert all(np.array_equal(a, b) for a, b in zip(frames_of(tmp_path / "whole"), frames_of(tmp_path / "cut")))


def test_a_full_disk_on_the_manifest_after_frame_0_keeps_the_frame_and_resumes(disk, monkeypatch, write_preset,
                                                                              run_cli, tmp_path):
    real = store_module.write_png

    def then_full(path, *args, **kwargs):  # frame 0's PNG lands; the manifest after it finds the disk full
        real(path, *args, **kwargs)
        disk.fail(".manifest.partial-*")
    monkeypatch.setattr(store_module, "write_png", then_full)
    preset = write_preset()
    code, _, err = run_cli("render", preset, "-o", tmp_path / "anim", "--quiet")
    assert_one_line_error(code, err, f"{tmp_path / 'anim.frames' / 'manifest.json'}: cannot write it: {ENOSPC}")
    assert leftovers(tmp_path) == [] and len(frames_of(tmp_path / "anim")) == 1
    disk.heal()
    code, _, err = run_cli("render", preset, "-o", tmp_path / "anim", "--resume", "--quiet")
    assert code == 0, err
    assert len(frames_of(tmp_path / "anim")) == 3


def test_a_failed_write_is_named_and_the_frames_before_it_are_kept(disk, write_preset, run_cli, tmp_path):
    disk.fail(".frame_00003.partial-*", errno.ENOSPC)  # the last frame: its error comes from the store's end
    code, _, err = run_cli("render", write_preset(), "-o", tmp_path / "anim", "--quiet")
    assert_one_line_error(code, err, f"{tmp_path / 'anim.frames' / 'frame_00003.png'}: cannot write it: {ENOSPC}")
    assert len(frames_of(tmp_path / "anim")) == 2 and leftovers(tmp_path) == []
