"""`python -m codat_stripe_ops.verify STACK ...` (the same as `codat-stripe verify`)."""

import sys

from codat_stripe_ops.verify.command import main

sys.exit(main())
