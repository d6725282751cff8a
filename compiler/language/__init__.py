"""The questionnaire language itself: its model, conditions and their meaning, data formats,
translatable texts and the time estimate. Every stage reads it; it imports only floor 1.
"""
