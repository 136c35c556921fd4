"""URL converters for the natural keys that carry dots."""

from django.urls import register_converter


class _Texte:
    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class CodeIndicateur(_Texte):
    """ "2019-1.1-3", "E12-1"."""

    regex = r"[-\w.]+"


class NumeroFiche(_Texte):
    """ "1.1" ... "12.2"."""

    regex = r"[0-9]+\.[0-9]+"


register_converter(CodeIndicateur, "code_indicateur")
register_converter(NumeroFiche, "numero_fiche")
