import django_filters as filters

from contrat.api.filtres import FiltresApi
from gouvernance.models import Evenement, Preconisation


class EvenementFilterSet(FiltresApi):
    instance = filters.CharFilter(field_name="instance__slug", label="Instance (identifiant)")
    fiche = filters.CharFilter(field_name="fiches__numero", label="Fiche (numéro)", distinct=True)
    theme = filters.CharFilter(
        field_name="themes__slug",
        label="Thème (programme de la mobilisation nationale, identifiant)",
        distinct=True,
    )
    q = filters.CharFilter(field_name="description", lookup_expr="icontains", label="Recherche")

    class Meta:
        model = Evenement
        fields = [
            "annee",
            "type",
            "precision",
            "statut",
            "portee",
            "temps_fort_podem",
            "instance",
            "fiche",
            "theme",
            "q",
        ]


class PreconisationFilterSet(FiltresApi):
    fiche = filters.CharFilter(
        field_name="reponses__fiche__numero", label="Fiche qui y répond (numéro)", distinct=True
    )
    volet = filters.CharFilter(field_name="volet", lookup_expr="icontains", label="Volet")

    class Meta:
        model = Preconisation
        fields = ["volet", "suivi", "fiche"]
