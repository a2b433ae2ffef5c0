"""The bundled ffmpeg (imageio-ffmpeg's, never a system one, never through a shell), run to the end:
run_ffmpeg(args) => (exit code, its messages); ffmpeg_output(args) => (code, stdout, messages); last_line(messages) => why it stopped."""
import subprocess


def run_ffmpeg(args: list[str]) -> tuple[int, str]:
    """(exit code, stderr) of the bundled ffmpeg; never a system ffmpeg, never a shell."""
    import imageio_ffmpeg
    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", *args],
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return done.returncode, done.stderr.decode("utf-8", "replace")


def last_line(log: str) -> str:
    """The last non-blank line of an ffmpeg log: where ffmpeg says why it stopped."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    return lines[-1] if lines else "ffmpeg gave no reason"


def ffmpeg_output(args: list[str]) -> tuple[int, bytes, str]:
    """(exit code, stdout bytes, stderr) of the bundled ffmpeg writing to a pipe (`-f FMT -`)."""
    import imageio_ffmpeg
    done = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", *args],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return done.returncode, done.stdout, done.stderr.decode("utf-8", "replace")
