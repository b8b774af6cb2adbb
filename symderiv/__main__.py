import sys

from symderiv.cli import command_line

sys.exit(command_line())
