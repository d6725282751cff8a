"""The production endpoint: checks posted responses against manifest.json and stores them.

It reads build/ output only and never imports the compiler's stages, Jinja or click
(docs/architecture.md; tests/test_layers.py holds it to that).
"""
