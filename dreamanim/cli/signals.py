"""Ctrl-C and SIGTERM on the command line: both raise KeyboardInterrupt, once, while work is under way.

    hold_early(main_code)  at the CLI's import: a signal before main's `try` is held, not raised
    install()              in main's try: SIGINT and SIGTERM => KeyboardInterrupt (exit 130);
                           a held signal is raised now
    settle()               everything is written: later signals cannot change the exit code
    restore(program=)      the handlers as they were; the program itself (not a test calling main)
                           ignores both from then on, so a signal during the interpreter's shutdown
                           cannot turn a finished run into a death by signal

Python raises KeyboardInterrupt wherever it is, even on the first instruction of main before its
`try`, so the CLI module holds signals from its import: one arriving in the program's top-level
code or at main's entry is kept and raised inside main's try; anywhere else it is raised at once,
as Python's own handler does. The first signal raises KeyboardInterrupt; while that unwinds
(removing temporary files, stopping ffmpeg) a second one is ignored, so the clean-up finishes; a
third exits at once (a stuck clean-up), as a user pressing Ctrl-C three times means.
"""
import os
import signal
import threading

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_state = {"settled": False, "raised": 0, "held": False, "previous": {}, "main": None}


def _hold(signum, frame) -> None:
    top = frame is not None and frame.f_code.co_name == "<module>" and frame.f_back is None
    if frame is not None and (frame.f_code is _state["main"] or top):
        _state["held"] = True  # main's try is a few instructions away: install() raises it there
        return
    raise KeyboardInterrupt


def hold_early(main_code) -> None:
    """Hold signals that arrive before main's try (only over Python's own defaults)."""
    if threading.current_thread() is not threading.main_thread():
        return
    _state["main"] = main_code
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _hold)
    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _hold)


def _interrupt(signum, frame) -> None:
    if _state["settled"]:
        return
    _state["raised"] += 1
    if _state["raised"] == 1:
        raise KeyboardInterrupt
    if _state["raised"] >= 3:
        os._exit(130)  # (as cli.EXIT_INTERRUPTED)


def install() -> None:
    """Route SIGINT and SIGTERM to KeyboardInterrupt (kept to restore); raise a held signal now."""
    _state.update(settled=False, raised=0, previous={})
    for sig in SIGNALS:
        _state["previous"][sig] = signal.getsignal(sig)
        signal.signal(sig, _interrupt)
    if _state["held"]:
        _state["held"] = False
        _state["raised"] = 1
        raise KeyboardInterrupt


def settle() -> None:
    """Everything the command writes is written: a signal from now on changes nothing."""
    _state["settled"] = True


def interrupted() -> None:
    """A KeyboardInterrupt is being reported: ignore further signals meanwhile."""
    _state["raised"] = max(_state["raised"], 1)


def restore(*, program: bool) -> None:
    for sig, previous in _state["previous"].items():
        if program:
            signal.signal(sig, signal.SIG_IGN)
        elif previous is not None:
            signal.signal(sig, previous)
    _state["previous"] = {}
