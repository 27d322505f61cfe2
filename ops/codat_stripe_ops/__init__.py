"""Operating the stacks: the `codat-stripe` CLI, the demo, and the tooling around `cdktn` runs."""
