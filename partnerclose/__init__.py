"""PartnerClose: the monthly partner close, exact to the cent."""

__version__ = "0.1.0"
