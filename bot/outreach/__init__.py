"""The outreach log: who pufa and the inspectors reached, on what, and the annual-report figures.

Entry points: ``bot.outreach.store.OutreachStore`` and ``bot.outreach.turns.TurnRecord``.
"""
