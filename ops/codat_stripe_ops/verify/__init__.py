"""`codat-stripe verify`: check Stripe and Codat from the outside, before and after a deploy.

Before a deploy (``--preflight``) it checks the Codat API key, the Stripe secret key and its
mode, the client ID and prints the Stripe Dashboard checklist; after a deploy it compares what
Codat holds with what the stack declares; ``--probe-assumptions`` tests the project's
assumptions about Codat's undocumented endpoints. Secrets are never printed, not even a tail.
"""
