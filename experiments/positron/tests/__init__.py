"""Tests of the Positron shell: `python -m unittest discover -s tests -t .` in experiments/positron.

The app's package is imported from src/, as `briefcase dev` runs it.
"""

import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parent.parent / "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)
