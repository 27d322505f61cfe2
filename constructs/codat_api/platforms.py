"""Codat platform keys of the commerce integrations the project knows about."""

from collections.abc import Mapping
from types import MappingProxyType

STRIPE_LIVE_KEY = "exgd"
"""Platform key of Codat's Stripe (live mode) integration."""

STRIPE_TEST_KEY = "yzth"
"""Platform key of Codat's Stripe Test (test mode) integration."""

STRIPE_KEYS: frozenset[str] = frozenset({STRIPE_LIVE_KEY, STRIPE_TEST_KEY})
"""Both Stripe integrations."""

STRIPE_REDIRECT_URI = "https://stripe.codat.io/oauth/callback"
"""Redirect URI Codat uses in its Stripe Connect OAuth flow (registered in Stripe's Dashboard)."""

COMMERCE_INTEGRATIONS: Mapping[str, str] = MappingProxyType(
    {
        "qkdj": "Amazon Seller Central",
        "vqzp": "BigCommerce",
        "xwsy": "Chargebee",
        "fqly": "Clover",
        "aiwb": "Commerce Sandbox",
        "ldgh": "Lightspeed K",
        "dxfw": "Mollie",
        "dlqr": "Mollie Test",
        "gvom": "PayPal",
        "zgbz": "PrestaShop",
        "lhcb": "Recurly",
        "fztf": "Shopify",
        "zsth": "Square",
        "xcwv": "Square Sandbox",
        STRIPE_LIVE_KEY: "Stripe",
        STRIPE_TEST_KEY: "Stripe Test",
        "pshf": "SumUp",
        "ltpp": "WooCommerce",
        "ugxp": "Zettle",
    }
)
"""Platform key -> display name of every commerce integration (Stripe and Stripe Test included)."""
