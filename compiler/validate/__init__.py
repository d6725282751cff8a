"""Stage 2: validation of a questionnaire: structure by JSON Schema, then ids, options,
limits, dates and conditions, every problem at once with its position.
"""
