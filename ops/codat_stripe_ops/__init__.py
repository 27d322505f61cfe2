"""Operating the stacks: the demo, and the tooling around `cdktn` runs."""
