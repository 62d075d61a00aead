"""Benchmarks of newsbot: ``python -m benchmarks [--pages N] [--quick]`` (see benchmarks/README.md)."""
