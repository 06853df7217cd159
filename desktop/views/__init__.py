"""Thin Qt widgets bound to the presenters in `desktop.presenters`."""
