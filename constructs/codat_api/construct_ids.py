"""Construct ids of the Terraform elements the review, drift and promotion tools read.

Construct ids are a public contract: they appear in Terraform names (`<path>_<hash>`), and
`codat_stripe_ops` tells from them which Codat setting a resource in a plan manages. They
are defined here once, for the constructs that create the elements and the tools that read
them. (They live in `codat_api`, which imports nothing heavy, so the tools can read them
without loading the CDK.)
"""

CREDENTIALS = "Credentials"
"""The Stripe credentials write (`StripeIntegration`)."""

CREDENTIALS_IN_SYNC = "CredentialsInSync"
"""The marker whose change re-creates the credentials (`StripeIntegration`)."""

OBSERVED_CREDENTIALS = "ObservedCredentials"
"""The plan-time read of the masked credentials that drives healing (`StripeIntegration`)."""

STORED_CREDENTIALS = "StoredCredentials"
"""The read-back of the masked credentials after a pending write, for the credentials check
(`StripeIntegration`; its `count` is 0 when `ObservedCredentials` already matches the code)."""

DATA_ACCESS = "DataAccess"
"""The "access to company data" setting (`StripeIntegration`)."""

ENABLED = "Enabled"
"""The integration's enabled toggle (`StripeIntegration`)."""

SYNC_SETTINGS = "Settings"
"""The managed commerce sync settings (`CommerceSyncSettings`)."""
