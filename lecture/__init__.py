"""Reading rules over the avenant's French text, in plain Python.

Accent folding, the normalised form of a name, and the links read out of the
fiches' free text (organisations through their aliases, quartiers, axes
transversaux). They are the rules of the app (``contrat``, ``fiches``), and
the transcription tools (``tools/transcription/``) wrote the fixtures with
them.

Why a package of its own: the tools must run without Django or a database,
and must not import the app; the app must not import the tools (they are not
what runs). Keeping one copy here, below every app's floor, means the links
the fixtures carry and the links the admin's "relire les liens" action reads
again come from the same rules. So this package imports the standard library
only: no Django, no app (``tests/test_transcription.py`` checks it).
"""
