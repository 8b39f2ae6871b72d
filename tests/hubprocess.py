"""Tests use the same hub launcher as the benchmarks."""

from bluelight.sim.hubprocess import HubProcess, free_port, unique

__all__ = ["HubProcess", "free_port", "unique"]
