"""bluelight: multi-agency incident transfer hub and collaboration workbench."""

__version__ = "0.1.0"
