"""Stage 4: the HTML pages of every language, rendered once as a skeleton and filled per
language, with the stylesheet inlined and the script minified.
"""
