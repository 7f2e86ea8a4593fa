"""Intake: which files are the sides of one card (``pairing``) and the watched folder
(``watch``)."""
