"""`python -m xxgk.cli`, the same as the `xxgk` command."""

from xxgk.cli import command

command()
