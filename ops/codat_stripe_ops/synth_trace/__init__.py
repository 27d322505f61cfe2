"""Records what a Python CDK app reads while it synthesizes (see `synth_cache`).

The directory holds a `sitecustomize` module that `synth_cache` puts first on the app's
PYTHONPATH; it does nothing unless CODAT_STRIPE_SYNTH_TRACE names a trace file.
"""

from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent
TRACE_ENV = "CODAT_STRIPE_SYNTH_TRACE"
