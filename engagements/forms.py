from django import forms
from django.conf import settings

from contrat.annees import ANNEE_MAX, ANNEE_MIN
from contrat.nombres import EntierFormField, ecrire_nombre
from contrat.televersement import valider_taille
from contrat.textes import TexteFormField
from engagements.models import Valeur
from engagements.services import cle, grille_cles


def nom_champ(k):
    quartier, sexe = k
    return f"v_{quartier or 'tous'}_{sexe or 'ens'}"


class GrilleForm(forms.Form):
    """One text box per cell of an indicator's grid (quartier × sex), plus the
    version each cell was read at. Fields are text, not numbers: the service
    reads "1 234,5", and a refused form shows back exactly what was typed."""

    note = TexteFormField(
        label="Note (obligatoire si une valeur s'écarte fortement de la cible)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note_publique = forms.BooleanField(
        label="Publier la note avec les valeurs validées (données ouvertes)",
        label_suffix="",
        help_text="Sans cette case, la note reste interne : votre organisation et l'équipe "
        "politique de la ville la lisent, le public jamais.",
        required=False,
    )

    def __init__(self, *args, indicateur, valeurs, lecture_seule=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicateur = indicateur
        self.cellules = []
        for quartier, sexe in grille_cles(indicateur):
            k = cle(quartier, sexe)
            valeur = valeurs.get(k)
            nom = nom_champ(k)
            libelle_sexe = Valeur.Sexe(sexe).label if sexe else ""
            libelle = (
                " — ".join(x for x in [quartier.nom if quartier else "", libelle_sexe] if x)
                or "Valeur"
            )
            verrouillee = lecture_seule or (
                valeur is not None and valeur.statut == Valeur.Statut.VALIDEE
            )
            self.fields[nom] = forms.CharField(
                label=libelle,
                required=False,
                initial=ecrire_nombre(valeur.valeur) if valeur else "",
                disabled=verrouillee,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "autocomplete": "off",
                        "size": 8,
                        "class": "cellule",
                    }
                ),
            )
            self.fields[f"ver_{nom}"] = EntierFormField(
                required=False,
                min_value=0,
                initial=valeur.version if valeur else 0,
                widget=forms.HiddenInput,
                disabled=verrouillee,
            )
            self.cellules.append(
                {
                    "cle": k,
                    "quartier": quartier,
                    "sexe": sexe,
                    "libelle_sexe": libelle_sexe,
                    "nom": nom,
                    "valeur": valeur,
                    "verrouillee": verrouillee,
                }
            )
        if valeurs:
            premiere = next(iter(valeurs.values()))
            self.fields["note"].initial = premiere.note
            self.fields["note_publique"].initial = premiere.note_publique
        if lecture_seule:
            self.fields["note"].disabled = True
            self.fields["note_publique"].disabled = True

    def saisies(self):
        """{cell key: (typed text, version read)} for the editable cells."""
        resultat = {}
        for cellule in self.cellules:
            if cellule["verrouillee"]:
                continue
            nom = cellule["nom"]
            resultat[cellule["cle"]] = (
                self.cleaned_data.get(nom, ""),
                self.cleaned_data.get(f"ver_{nom}") or 0,
            )
        return resultat

    def lignes(self):
        """The grid as rows (quartiers) of cells (sexes), bound fields in place."""
        lignes, courante = [], None
        for cellule in self.cellules:
            if courante is None or courante["quartier"] != cellule["quartier"]:
                courante = {"quartier": cellule["quartier"], "cellules": []}
                lignes.append(courante)
            courante["cellules"].append(
                {**cellule, "champ": self[cellule["nom"]], "version": self[f"ver_{cellule['nom']}"]}
            )
        return lignes


class ImportForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier (.csv ou .xlsx, tel qu'exporté)",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    soumettre = forms.BooleanField(
        label="Soumettre après l'import", label_suffix="", required=False
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        # Counted while it streamed in (contrat/televersement.py): a file past
        # the limit arrives here empty, with its size, and is never read.
        valider_taille(fichier, settings.IMPORT_TAILLE_MAX)
        return fichier


class ImportParametrageForm(forms.Form):
    """The set-up spreadsheet (same limits as the value import)."""

    fichier = forms.FileField(
        label="Tableau de paramétrage (.csv ou .xlsx, tel qu'exporté)",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        # Counted while it streamed in (contrat/televersement.py).
        valider_taille(fichier, settings.IMPORT_TAILLE_MAX)
        return fichier


class StatuerForm(forms.Form):
    commentaire = TexteFormField(
        label="Commentaire pour le partenaire (obligatoire pour un rejet)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CampagneForm(forms.Form):
    annee = EntierFormField(label="Année", min_value=ANNEE_MIN, max_value=ANNEE_MAX)
    date_limite = forms.DateField(
        label="Date limite de saisie", widget=forms.DateInput(attrs={"type": "date"})
    )
    libelle = forms.CharField(label="Libellé", required=False)


class MotifForm(forms.Form):
    motif = TexteFormField(label="Motif", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FermetureForm(forms.Form):
    """Closing a campaign: a reason (recorded) and an explicit confirmation."""

    motif = TexteFormField(
        label="Motif de la fermeture (inscrit au journal)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez pourquoi la campagne est fermée."},
    )
    confirmer = forms.BooleanField(
        label="Je confirme : les valeurs de la campagne seront verrouillées pour tous",
        label_suffix="",
        error_messages={"required": "Cochez la case pour confirmer la fermeture."},
    )


class ReouvertureForm(forms.Form):
    """Reopening a campaign: a reason and a new deadline (the service checks
    it is in the future and after the opening)."""

    motif = TexteFormField(
        label="Motif de la réouverture (inscrit au journal)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez pourquoi la campagne est rouverte."},
    )
    date_limite = forms.DateField(
        label="Nouvelle date limite de saisie",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Indiquez la nouvelle date limite de saisie.",
            "invalid": "Indiquez une date valide (JJ/MM/AAAA).",
        },
    )


class FiltreFileForm(forms.Form):
    """The validation queue's filters (GET). Choices come from the database:
    anything else is refused by the form, never reaches a query."""

    annee = forms.TypedChoiceField(label="Campagne", required=False, coerce=int, empty_value=None)
    organisation = forms.ChoiceField(label="Organisation", required=False)
    objectif = forms.TypedChoiceField(
        label="Objectif opérationnel", required=False, coerce=int, empty_value=None
    )
    fiche = forms.ChoiceField(label="Fiche", required=False)
    statut = forms.ChoiceField(label="État", required=False)

    def __init__(self, *args, campagnes, organisations, objectifs, fiches, statuts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [("", "Toutes")] + [(c.annee, str(c)) for c in campagnes]
        self.fields["organisation"].choices = [("", "Toutes")] + [
            (o.slug, o.nom) for o in organisations
        ]
        self.fields["objectif"].choices = [("", "Tous")] + [
            (o.numero, f"{o.numero}. {o.intitule[:60]}") for o in objectifs
        ]
        self.fields["fiche"].choices = [("", "Toutes")] + [(n, f"Fiche {n}") for n in fiches]
        self.fields["statut"].choices = statuts
