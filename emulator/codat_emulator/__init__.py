"""Local emulator of the Codat Platform API, for demos and end-to-end tests.

Run it with ``codat-emulator`` (see ``cli``) or drive it from tests with
``codat_emulator.process.EmulatorProcess``. Layout: ``backend`` (all state and rules, no
HTTP), ``routes`` (the one routes table) and ``responses`` (thin handlers), ``httpkit`` and
``paging`` (HTTP helpers), ``control`` (gate, faults, holds, rate limit, request log, admin
routes), ``store`` (SQLite), ``runtime`` and ``app`` (wiring), ``process`` and ``cli``.
"""
