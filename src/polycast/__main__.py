"""Let ``python -m polycast`` run the CLI."""

from polycast.cli import run

if __name__ == "__main__":  # not on import: doctest collection imports every module
    run()
