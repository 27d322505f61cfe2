"""Control plane of the emulator: gate (auth, rate limit, faults, holds, logging), admin routes.

Nothing here is Codat behaviour: these are the switches tests and benchmarks use to observe
and disturb the emulated API.
"""
