"""Writers: every format of the outputs table writes a real file that reads back with its frames and
size; the streaming GIF is a real GIF (Pillow reads it); play orders; atomic writes."""
import io

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image

from conftest import assert_one_line_error
from dreamanim.outputs.gif_stream import GifStream
from dreamanim.outputs import FORMATS, format_module
from dreamanim.rendering.play import play_order


def write(fmt, path, frames, **settings):
    module = format_module(fmt)
    with module.Writer(path, module.Settings(**settings), comment="made by a test") as writer:
        for frame in frames:
            writer.add(frame)


def read_back(path):
    """(frame count, width, height) as a player sees them: Pillow for GIF/WebP, ffmpeg for videos."""
    if path.suffix in (".gif", ".webp"):
        with Image.open(path) as im:
            return im.n_frames, im.size[0], im.size[1]
    import imageio_ffmpeg
    frames = iio.imread(path, plugin="FFMPEG", index=None)
    assert imageio_ffmpeg.count_frames_and_secs(str(path))[0] == len(frames)
    return len(frames), frames.shape[2], frames.shape[1]


def gradient_frames(n, h=21, w=34):
    ys, xs = np.mgrid[0:h, 0:w]
    return [np.stack([(xs * 7 + t * 40) % 256, ys * 12 % 256, np.full_like(xs, t * 50 % 256)], -1).astype(np.uint8)
            for t in range(n)]


def test_play_orders():
    assert play_order(4, "forward") == [0, 1, 2, 3]
    assert play_order(4, "reverse") == [3, 2, 1, 0]
    assert play_order(4, "pingpong") == [0, 1, 2, 3, 2, 1]  # 2N-2: the ends are not repeated
    assert play_order(1, "pingpong") == [0]


@pytest.mark.parametrize("loops, netscape", [(0, True), (1, False), (3, True)])
def test_gif_stream_reads_back_with_pillow(loops, netscape):
    buf = io.BytesIO()
    gif = GifStream(buf, fps=10, loops=loops)
    frames = gradient_frames(5)
    for f in frames:
        gif.add(f)
    gif.close()
    im = Image.open(io.BytesIO(buf.getvalue()))
    assert im.n_frames == 5 and im.size == (34, 21)
    assert im.info.get("duration") == 100
    assert ("loop" in im.info) == netscape
    for i, f in enumerate(frames):
        im.seek(i)
        back = np.asarray(im.convert("RGB"), float)
        assert np.abs(back - f).mean() < 4  # 256-colour quantisation only


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_written_atomically_and_reads_back(fmt, tmp_path):
    frames = gradient_frames(6, 22, 36)
    write(fmt, tmp_path / f"a.{fmt}", iter(frames))
    assert [p.name for p in tmp_path.iterdir()] == [f"a.{fmt}"]  # no temporary leftovers
    assert read_back(tmp_path / f"a.{fmt}") == (6, 36, 22)


def test_odd_sizes_are_kept_except_by_h264_which_pads_to_even(tmp_path):
    frames = gradient_frames(3, 21, 35)
    for fmt in FORMATS:
        write(fmt, tmp_path / f"a.{fmt}", frames)
        assert read_back(tmp_path / f"a.{fmt}") == ((3, 36, 22) if fmt == "mp4" else (3, 35, 21)), fmt


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_failed_write_leaves_no_partial_file(fmt, tmp_path):
    def broken():
        yield gradient_frames(1)[0]
        raise RuntimeError("disk full")
    with pytest.raises(RuntimeError):
        write(fmt, tmp_path / f"a.{fmt}", broken())
    assert list(tmp_path.iterdir()) == []


def test_a_render_writes_webm_and_webp_from_the_preset(write_preset, run_cli, tmp_path):
    code, out, err = run_cli("render", write_preset(frames=3, outputs={"webm": {"fps": 8}, "webp": None}),
                             "-o", tmp_path / "anim", "--quiet")
    assert code == 0, err
    assert read_back(tmp_path / "anim.webm") == read_back(tmp_path / "anim.webp") == (3, 48, 32)
    assert not (tmp_path / "anim.gif").exists() and not (tmp_path / "anim.mp4").exists()
    code, _, err = run_cli("render", write_preset(frames=2), "-o", tmp_path / "one.webp", "--quiet")
    assert code == 0, err
    assert read_back(tmp_path / "one.webp") == (2, 48, 32) and not (tmp_path / "one.gif").exists()


def test_an_output_extension_no_writer_handles_is_one_line(write_preset, run_cli, tmp_path):
    code, _, err = run_cli("render", write_preset(), "-o", tmp_path / "anim.xyz")
    assert_one_line_error(code, err, "anim.xyz", "no output format writes .xyz files", "gif, mp4, webm, webp")
    code, _, err = run_cli("render", write_preset(), "-o", tmp_path / "anim.wepb")
    assert_one_line_error(code, err, "did you mean 'webp'")
    assert list(tmp_path.glob("anim*")) == []
