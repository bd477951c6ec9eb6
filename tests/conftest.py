import sys
from pathlib import Path

# Make tests/strategies.py importable as `strategies` whatever the working directory.
sys.path.insert(0, str(Path(__file__).parent))
