"""Entry point for ``python -m codat_emulator``."""

from codat_emulator.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
