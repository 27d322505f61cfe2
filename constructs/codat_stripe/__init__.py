"""CDK Terrain constructs that set up Codat's Stripe integrations through magodo/restful."""
