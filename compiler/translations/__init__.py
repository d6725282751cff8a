"""Locale files: reading them, checking them against their questionnaire, finding them,
and the translators' tools (status, new, update, review, PO).
"""
