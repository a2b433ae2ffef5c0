"""argv in, exit code out: `dreamanim COMMAND ...` (main.py), a thin layer over the Python API."""


def main(argv=None) -> int:
    """The console script: `dreamanim ...` (cli/main.py)."""
    from .main import main as run
    return run(argv)
