"""`dreamanim studio`: argparse options in, a running studio out, until Ctrl-C (0), or a DreamanimError for bad options.

    add_arguments(parser); return run(parser.parse_args())   (`dreamanim studio`: cli/parser.py, cli/commands.py)
"""
import argparse
import secrets
from pathlib import Path

from ..errors import DreamanimError
from .context import DEFAULT_PORT, UPLOAD_LIMIT_MB

DESCRIPTION = ("Serve the studio, a local web page to watch and steer the dream live: pick a preset or a "
               "picture, set the controls, see each frame as it is dreamed, change values while it runs, "
               "render the GIF/MP4/WebM. Binds 127.0.0.1 only unless --host is given (then a token is "
               "required). The HTTP API and OSC messages: docs/studio.md.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="N",
                        help=f"the HTTP port (default {DEFAULT_PORT})")
    parser.add_argument("--open", action="store_true", help="open the page in the web browser")
    parser.add_argument("--host", metavar="HOST", default=None,
                        help="listen on HOST instead of 127.0.0.1 (e.g. 0.0.0.0 for your network): every "
                             "request must then carry the token printed at start")
    parser.add_argument("--osc", type=int, metavar="PORT", default=None,
                        help="also take OSC messages on 127.0.0.1:PORT (/dreamanim/set KEY VALUE, "
                             "/dreamanim/pulse KEY AMOUNT) to steer the running preview")
    parser.add_argument("--allow-plugins", action="store_true",
                        help="let presets load transform plugins (plugins: ...): a plugin is Python code "
                             "that runs with your rights; off by default")
    parser.add_argument("--upload-limit", type=float, default=UPLOAD_LIMIT_MB, metavar="MB",
                        help=f"the largest upload taken, in megabytes (default {UPLOAD_LIMIT_MB})")
    parser.add_argument("--folder", default="studio", metavar="DIR",
                        help="where the studio keeps its uploads and renders (default ./studio/)")


def run(args: argparse.Namespace) -> int:
    from .context import Studio
    from .server import bind, serve
    settings = settings_of(args)
    sock = bind(settings.host, settings.port, "--port")
    studio = Studio(settings)
    osc = None
    if settings.osc is not None:
        from .osc import start
        try:
            osc = start(studio.jobs, settings.osc)
        except OSError as exc:
            sock.close()
            studio.close()
            raise DreamanimError(f"--osc {settings.osc}", f"cannot listen on udp 127.0.0.1:{settings.osc}: "
                                 f"{exc.strerror}", f"give another port, e.g. --osc {settings.osc + 1}") from None
    print(f"dreamanim studio: {settings.url}", flush=True)
    if settings.token:
        print(f"dreamanim studio: listening on {settings.host}: every request needs the token {settings.token}",
              flush=True)
    if osc is not None:
        print(f"dreamanim studio: OSC on udp://127.0.0.1:{settings.osc} (/dreamanim/set, /dreamanim/pulse)",
              flush=True)
    print("dreamanim studio: Ctrl-C stops it (running jobs keep their frames: docs/studio.md says how to continue one)",
          flush=True)
    on_ready = None
    if args.open:
        import webbrowser
        on_ready = lambda: webbrowser.open(settings.url)  # noqa: E731
    try:
        serve(studio, sock, on_ready)
    finally:
        if osc is not None:
            osc.shutdown()
    return 0


def settings_of(args: argparse.Namespace):
    """The options, checked: each bad one is the CLI's one line."""
    from .context import Settings
    if not 0 < args.port < 65536:
        raise DreamanimError(f"--port {args.port}", "is not a TCP port", "give 1..65535, e.g. --port 8765")
    if args.osc is not None and not 0 < args.osc < 65536:
        raise DreamanimError(f"--osc {args.osc}", "is not a UDP port", "give 1..65535, e.g. --osc 9000")
    if not args.upload_limit > 0:
        raise DreamanimError(f"--upload-limit {args.upload_limit:g}", "must be more than 0 MB",
                             f"e.g. --upload-limit {UPLOAD_LIMIT_MB}")
    host = args.host or "127.0.0.1"
    # --host is the one way to be reachable from elsewhere: then nothing is served without the token
    token = secrets.token_urlsafe(18) if args.host is not None else None
    folder = Path(args.folder)
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise DreamanimError(f"--folder {args.folder}", "is not a plain folder (a file or a symlink)",
                             "give a folder of its own, e.g. --folder studio")
    return Settings(folder=folder, port=args.port, host=host, token=token, allow_plugins=args.allow_plugins,
                    upload_limit=int(args.upload_limit * 2**20), osc=args.osc)
