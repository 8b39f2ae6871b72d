"""Where the external conformance vectors are: ../shared/conformance beside the checkout
(as in CI). They are read in place, never copied into the repository."""

from pathlib import Path

CONFORMANCE = Path(__file__).resolve().parents[1].parent / "shared" / "conformance"
