"""`python -m wellness.cli ...` runs the same command as the `wellness` script."""

from wellness.cli import main

main()
