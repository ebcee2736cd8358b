"""Benchmarks: ``hk bench <name>`` starts what it needs, runs a workload, prints figures beside a baseline."""
