"""`python -m watchdog` runs the same CLI as `ai-watchdog`."""

from watchdog.cli.main import main

main()
