"""Long texts as users typed them, and a readable diff of their changes.

Browsers send a textarea's line breaks as ``\\r\\n`` (the HTML standard says
so), while the avenant's fixtures, the API and the services write ``\\n``. A
fiche saved in the admin without touching its texts would then differ from
the database on every line: the history trigger would record a change and
``seed`` would list a staff edit. So every entry point normalises line
endings before it compares or saves:

- :class:`TexteField`, the model field of every long text: its form field
  (admin and model forms) and its ``to_python`` (fixtures, ``full_clean``)
  normalise, and so does ``pre_save``, for writes that go round the forms;
- :class:`TexteFormField` for the web forms' own text fields;
- :class:`TexteSerializerField` for the API's.

:func:`sans_accents` is the one accent folding of the app (comparisons of French
text written in several hands: the PDF, staff, partners), defined in
:mod:`lecture.textes`.

:func:`difference_html` shows what changed between two versions of a text:
the changed words with a few words of context, whatever the text's length.
"""

import difflib
import json
import re

from django import forms
from django.db import models
from django.utils.html import escape
from django.utils.safestring import mark_safe
from rest_framework import serializers

# The one accent folding lives in lecture/ (plain Python, shared with the
# transcription tools, which must not import the app); the app's callers keep
# this name for it.
from lecture.textes import sans_accents as sans_accents


def normaliser_fins_de_ligne(texte):
    """``\\r\\n`` and lone ``\\r`` become ``\\n``; anything else is kept."""
    if not isinstance(texte, str) or "\r" not in texte:
        return texte
    return texte.replace("\r\n", "\n").replace("\r", "\n")


class TexteFormField(forms.CharField):
    """A text as typed, with ``\\n`` line endings (so an untouched textarea
    compares equal to the stored text, see ``has_changed``)."""

    def to_python(self, value):
        return super().to_python(normaliser_fins_de_ligne(value))


class TexteSerializerField(serializers.CharField):
    def to_internal_value(self, data):
        return super().to_internal_value(normaliser_fins_de_ligne(data))


class TexteField(models.TextField):
    """A ``TextField`` whose line endings are always ``\\n``."""

    def deconstruct(self):
        # The column is a plain text column: migrations keep seeing a
        # TextField, so switching a field to this class needs no migration.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs

    def to_python(self, value):
        return normaliser_fins_de_ligne(super().to_python(value))

    def pre_save(self, model_instance, add):
        valeur = normaliser_fins_de_ligne(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, valeur)
        return valeur

    def formfield(self, **kwargs):
        # Choices keep their own form field (a select).
        if not self.choices:
            kwargs.setdefault("form_class", TexteFormField)
        return super().formfield(**kwargs)


# ---------------------------------------------------------------- diff

MOTS_DE_CONTEXTE = 6
_JETONS = re.compile(r"\s+|\S+")


def _texte(valeur):
    if valeur is None:
        return ""
    if isinstance(valeur, str):
        return normaliser_fins_de_ligne(valeur)
    return json.dumps(valeur, ensure_ascii=False)


def _mots(jetons, nombre, depuis_la_fin=False):
    """The first (or last) ``nombre`` words of ``jetons``, with the spaces
    between them, and whether words were left out."""
    ordre = list(reversed(jetons)) if depuis_la_fin else list(jetons)
    pris, mots = [], 0
    for jeton in ordre:
        if not jeton.isspace():
            if mots == nombre:
                break
            mots += 1
        pris.append(jeton)
    coupe = len(pris) < len(ordre)
    if depuis_la_fin:
        pris.reverse()
    texte = "".join(pris)
    if coupe:  # the "…" stands for the words left out and the space next to them
        texte = texte.lstrip() if depuis_la_fin else texte.rstrip()
    return texte, coupe


def _visible(texte):
    """Escaped; a change of spaces or line breaks alone gets a visible mark."""
    if texte.isspace():
        return "↵" * texte.count("\n") or "␣"
    return escape(texte)


def difference_html(avant, apres, contexte=MOTS_DE_CONTEXTE):
    """The words removed (``<del>``) and inserted (``<ins>``) between two
    values, each change with ``contexte`` words either side, the unchanged
    stretches between changes elided ("…"). Escaped, safe to render."""
    a, b = _JETONS.findall(_texte(avant)), _JETONS.findall(_texte(apres))
    operations = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    if all(op == "equal" for op, *_ in operations):
        return mark_safe("<em>aucune différence visible</em>")
    morceaux = []
    for rang, (op, i1, i2, j1, j2) in enumerate(operations):
        if op == "equal":
            jetons = a[i1:i2]
            premier, dernier = rang == 0, rang == len(operations) - 1
            if premier:
                texte, coupe = _mots(jetons, contexte, depuis_la_fin=True)
                morceaux.append(("… " if coupe else "") + escape(texte))
            elif dernier:
                texte, coupe = _mots(jetons, contexte)
                morceaux.append(escape(texte) + (" …" if coupe else ""))
            else:
                debut, coupe = _mots(jetons, contexte)
                if not coupe or len([j for j in jetons if not j.isspace()]) <= 2 * contexte:
                    morceaux.append(escape("".join(jetons)))
                else:
                    fin, _ = _mots(jetons, contexte, depuis_la_fin=True)
                    morceaux.append(f"{escape(debut)} … {escape(fin)}")
            continue
        if i2 > i1:
            morceaux.append(f"<del>{_visible(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            morceaux.append(f"<ins>{_visible(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(morceaux))  # every piece is escaped above
