"""symderiv: neural-network coursework as verified mathematics."""

__version__ = "0.1.0"
