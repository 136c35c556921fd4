import django_filters as filters
from django.db.models import CharField, Q, Value

from contrat.api.filtres import AnneeFilter, EntierFilter, FiltresApi
from engagements.models import Cible, Engagement, SuiviAction, Valeur
from fiches.models import LienSerie


class EngagementFilterSet(FiltresApi):
    objectif = EntierFilter(field_name="objectif__numero", label="Objectif opérationnel (1 à 5)")
    enjeu = EntierFilter(field_name="enjeux__numero", label="Enjeu", distinct=True)
    axe = EntierFilter(field_name="axes__numero", label="Axe transversal", distinct=True)
    organisation = filters.CharFilter(
        field_name="organisations__slug", label="Organisation (identifiant)", distinct=True
    )
    q = filters.CharFilter(
        field_name="texte", lookup_expr="icontains", label="Recherche dans le texte"
    )

    class Meta:
        model = Engagement
        fields = [
            "partenaire",
            "objectif",
            "axes_transversaux",
            "enjeu",
            "axe",
            "organisation",
            "deplace",
            "q",
        ]


class CibleFilterSet(FiltresApi):
    engagement = EntierFilter(field_name="engagement__ordre", label="Engagement (n°)")
    partenaire = filters.ChoiceFilter(
        field_name="engagement__partenaire",
        choices=Engagement.Partenaire.choices,
        label="Partenaire",
    )
    q = filters.CharFilter(
        field_name="phrase", lookup_expr="icontains", label="Recherche dans la phrase"
    )

    class Meta:
        model = Cible
        fields = ["engagement", "partenaire", "nature", "portee", "annee", "q"]


class ValeurFilterSet(FiltresApi):
    indicateur = filters.CharFilter(
        method="filtre_indicateur",
        label="Indicateur (code) ; pour un membre d'une série, les valeurs de sa référence "
        "(marquées lu_pour)",
    )
    fiche = filters.CharFilter(field_name="indicateur__fiche__numero", label="Fiche (numéro)")
    objectif = EntierFilter(method="filtre_objectif", label="Objectif opérationnel")
    organisation = filters.CharFilter(
        field_name="indicateur__organisation__slug", label="Organisation responsable (identifiant)"
    )
    annee = AnneeFilter(field_name="annee", label="Année (période)")
    annee_min = AnneeFilter(field_name="annee", lookup_expr="gte", label="Année minimale")
    annee_max = AnneeFilter(field_name="annee", lookup_expr="lte", label="Année maximale")
    quartier = filters.CharFilter(
        method="filtre_quartier",
        label="Quartier (identifiant ; « tous » pour les valeurs tous quartiers)",
    )
    sexe = filters.CharFilter(
        method="filtre_sexe", label="Sexe (F, H ; « ensemble » pour les deux)"
    )
    synthetique = filters.BooleanFilter(label="Valeurs synthétiques (démonstration)")

    class Meta:
        model = Valeur
        fields = [
            "indicateur",
            "fiche",
            "objectif",
            "organisation",
            "annee",
            "annee_min",
            "annee_max",
            "quartier",
            "sexe",
            "statut",
            "synthetique",
        ]

    def filtre_indicateur(self, queryset, name, value):
        lien = (
            LienSerie.objects.confirmes()
            .filter(indicateur__code=value)
            .values_list("reference__code", flat=True)
            .first()
        )
        if lien is None:
            return queryset.filter(indicateur__code=value)
        # A member's values are its reference's: flagged with the code asked for.
        return queryset.filter(indicateur__code=lien).annotate(
            lu_pour=Value(value, output_field=CharField())
        )

    def filtre_objectif(self, queryset, name, value):
        return queryset.filter(
            Q(indicateur__fiche__objectif__numero=value)
            | Q(indicateur__cible_engagement__engagement__objectif__numero=value)
        )

    def filtre_quartier(self, queryset, name, value):
        if value == "tous":
            return queryset.filter(quartier__isnull=True)
        return queryset.filter(quartier__slug=value)

    def filtre_sexe(self, queryset, name, value):
        return queryset.filter(sexe="" if value.lower() == "ensemble" else value.upper())


class SuiviActionFilterSet(FiltresApi):
    annee = AnneeFilter(field_name="annee", label="Année (campagne)")
    fiche = filters.CharFilter(field_name="fiche__numero", label="Fiche (numéro)")
    engagement = EntierFilter(field_name="engagement__ordre", label="Engagement (n°)")
    organisation = filters.CharFilter(
        field_name="organisation__slug", label="Organisation responsable (identifiant)"
    )

    class Meta:
        model = SuiviAction
        fields = ["annee", "fiche", "engagement", "organisation", "avancement", "statut"]
