from django import forms

from notifications.models import Preferences


class PreferencesForm(forms.Form):
    # An unticked box is absent from the POST: this hidden field tells a real
    # submission of the form from a body that merely lacks the boxes.
    formulaire = forms.CharField(widget=forms.HiddenInput, initial="preferences")
    campagnes = forms.BooleanField(
        label=Preferences._meta.get_field("campagnes").verbose_name.capitalize(), required=False
    )
    rejets = forms.BooleanField(
        label=Preferences._meta.get_field("rejets").verbose_name.capitalize(), required=False
    )
    synthese = forms.BooleanField(
        label=Preferences._meta.get_field("synthese").verbose_name.capitalize(), required=False
    )

    def clean_formulaire(self):
        if self.cleaned_data["formulaire"] != "preferences":
            raise forms.ValidationError("Formulaire inconnu.")
        return self.cleaned_data["formulaire"]

    def clean(self):
        donnees = super().clean()
        donnees.pop("formulaire", None)
        return donnees
