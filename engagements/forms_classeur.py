"""The campaign workbook's upload form: it converts; the import decides."""

from django import forms
from django.conf import settings

from contrat.televersement import valider_taille


class ClasseurImportForm(forms.Form):
    fichier = forms.FileField(
        label="Classeur rempli (.xlsx, tel que téléchargé ici)",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        # Counted while it streamed in (contrat/televersement.py): a file past
        # the limit arrives here empty, with its size, and is never read.
        valider_taille(fichier, settings.IMPORT_TAILLE_MAX)
        return fichier
