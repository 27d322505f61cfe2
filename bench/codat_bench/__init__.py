"""`make bench`: what synth, plan and deploy cost, side by side with the floor and plain Terraform.

Run ``python -m codat_bench [--smoke] [--out DIR]``; it writes ``report.json``
and ``report.md`` into DIR (default ``bench/``). Every figure is the median of the runs.
"""
