"""`python -m wellness.suggestions.simulation --patients N --days D --seeds S --heterogeneity H`."""

import sys

from wellness.suggestions.simulation.run import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
