"""Typical cases (以案释法): the case library, its files, and the matcher that picks cases for an answer."""
