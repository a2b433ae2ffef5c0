"""Writers: the streaming GIF is a real GIF (ffmpeg/Pillow read it), play orders, atomic writes."""
import io

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image

from dreamanim.gif import GifStream
from dreamanim.writers import play_order, write_gif, write_mp4


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


def test_gif_and_mp4_are_written_atomically_and_read_back(tmp_path):
    frames = gradient_frames(6, 21, 35)  # odd sizes: the MP4 is padded to even
    write_gif(tmp_path / "a.gif", iter(frames), fps=12, loops=0)
    write_mp4(tmp_path / "a.mp4", iter(frames), fps=24, crf=18)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gif", "a.mp4"]  # no temporary leftovers
    assert iio.imread(tmp_path / "a.gif", index=None).shape == (6, 21, 35, 3)
    assert iio.imread(tmp_path / "a.mp4", plugin="FFMPEG", index=None).shape == (6, 22, 36, 3)


def test_a_failed_write_leaves_no_partial_file(tmp_path):
    def broken():
        yield gradient_frames(1)[0]
        raise RuntimeError("disk full")
    with pytest.raises(RuntimeError):
        write_gif(tmp_path / "a.gif", broken(), fps=12, loops=0)
    assert list(tmp_path.iterdir()) == []
