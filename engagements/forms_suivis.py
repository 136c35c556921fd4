"""Forms of the follow-up of actions: they convert; the service decides."""

from django import forms
from django.conf import settings

from contrat.annees import ANNEE_MAX, ANNEE_MIN
from contrat.models import Organisation
from contrat.nombres import EntierFormField
from contrat.televersement import valider_taille
from contrat.textes import TexteFormField
from engagements.models import LigneBudget, SuiviAction


class SuiviForm(forms.Form):
    avancement = forms.ChoiceField(
        label="Statut d'avancement",
        choices=[("", "— non renseigné —"), *SuiviAction.Avancement.choices],
        required=False,
    )
    avancement_pct = EntierFormField(
        label="Avancement (%)", min_value=0, max_value=100, required=False
    )
    realise = TexteFormField(
        label="Ce qui a été réalisé",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    a_venir = TexteFormField(
        label="Ce qui vient ensuite", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = EntierFormField(min_value=0, widget=forms.HiddenInput)
    piece = forms.FileField(
        label="Pièce justificative (PDF, Word, Excel, OpenDocument, image)",
        required=False,
    )

    def clean_piece(self):
        piece = self.cleaned_data.get("piece")
        # Counted while it streamed in (contrat/televersement.py).
        valider_taille(piece, settings.DOCUMENT_TAILLE_MAX)
        return piece


class JalonForm(forms.Form):
    libelle = forms.CharField(label="Jalon", max_length=300, required=False)
    date_prevue = forms.DateField(
        label="Date prévue",
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    date_reelle = forms.DateField(
        label="Date réelle",
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )


class LigneBudgetForm(forms.Form):
    financeur = forms.ModelChoiceField(
        label="Financeur", queryset=Organisation.objects.all(), required=False
    )
    nature = forms.ChoiceField(
        label="Nature des fonds",
        choices=[("", "—"), *LigneBudget.Nature.choices],
        required=False,
    )
    annee = EntierFormField(label="Année", min_value=ANNEE_MIN, max_value=ANNEE_MAX, required=False)
    # Text: the service reads "12 500,50" with the one number parser.
    montant_prevu = forms.CharField(label="Prévu (€)", required=False, max_length=40)
    montant_depense = forms.CharField(label="Dépensé (€)", required=False, max_length=40)


JalonFormSet = forms.formset_factory(JalonForm, extra=2, max_num=50, validate_max=True)
LigneBudgetFormSet = forms.formset_factory(LigneBudgetForm, extra=2, max_num=50, validate_max=True)


def lignes_remplies(formset, champs):
    """The formset's rows where something was typed (empty extra rows dropped)."""
    return [
        f.cleaned_data
        for f in formset.forms
        if f.cleaned_data and any(f.cleaned_data.get(c) not in (None, "") for c in champs)
    ]
