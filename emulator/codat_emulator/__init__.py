"""Local emulator of the Codat Platform API, for demos and end-to-end tests.

Run it with ``codat-emulator`` (see ``cli``) or drive it from tests with
``codat_emulator.process.EmulatorProcess``.
"""
