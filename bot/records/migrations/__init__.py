"""Alembic migrations of the records database (``env.py``, ``versions/``); run them through ``bot.records.schema``.

Revision ids "0001".."0004" are kept from ``bot/outreach/migrations`` so existing databases upgrade.
"""
