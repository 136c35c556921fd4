import django_filters as filters
from django.contrib.postgres.search import SearchQuery
from django.db.models import Q

from contrat.api.filtres import AnneeFilter, EntierFilter, FiltresApi
from fiches.models import Anomalie, CibleAnnuelle, Evolution, Fiche, Indicateur


class FicheFilterSet(FiltresApi):
    objectif = EntierFilter(field_name="objectif__numero", label="Objectif opérationnel (1 à 5)")
    transversale = filters.BooleanFilter(
        field_name="objectif", lookup_expr="isnull", label="Fiches transversales (sans objectif)"
    )
    enjeu = EntierFilter(field_name="enjeux__numero", label="Enjeu (1 à 12)", distinct=True)
    pilote = filters.CharFilter(
        field_name="pilotes__slug", label="Pilote (identifiant d'organisation)", distinct=True
    )
    partenaire = filters.CharFilter(
        field_name="partenaires__slug",
        label="Partenaire associé (identifiant d'organisation)",
        distinct=True,
    )
    quartier = filters.CharFilter(
        method="filtre_quartier",
        label="Quartier (identifiant) : fiches qui le nomment ou visent tous les QPV",
    )
    axe = EntierFilter(field_name="axes__numero", label="Axe transversal (1 à 4)", distinct=True)
    sort = filters.ChoiceFilter(
        choices=Evolution.Sort.choices,
        method="filtre_sort",
        label="Sort dans le tableau d'évolution",
    )
    annee_fin = EntierFilter(field_name="annee_fin", label="Année de fin")
    q = filters.CharFilter(
        method="recherche", label="Recherche plein texte en français dans toutes les sections"
    )

    class Meta:
        model = Fiche
        fields = [
            "objectif",
            "transversale",
            "enjeu",
            "pilote",
            "partenaire",
            "quartier",
            "axe",
            "sort",
            "annee_fin",
            "q",
        ]

    def filtre_quartier(self, queryset, name, value):
        return queryset.filter(Q(quartiers__slug=value) | Q(tous_qpv=True)).distinct()

    def filtre_sort(self, queryset, name, value):
        lignes = Evolution.objects.filter(sort=value)
        return queryset.filter(
            Q(pk__in=lignes.values("fiches_nouvelles")) | Q(pk__in=lignes.values("fiche_initiale"))
        )

    def recherche(self, queryset, name, value):
        requete = SearchQuery(value, config="french", search_type="websearch")
        trouvees = (
            Fiche.objects.annotate(vecteur=Fiche.vecteur_recherche())
            .filter(vecteur=requete)
            .values("pk")
        )
        return queryset.filter(Q(pk__in=trouvees) | Q(numero=value.strip()))


class IndicateurFilterSet(FiltresApi):
    fiche = filters.CharFilter(field_name="fiche__numero", label="Fiche (numéro)")
    organisation = filters.CharFilter(
        field_name="organisation__slug", label="Organisation responsable (identifiant)"
    )
    objectif = EntierFilter(method="filtre_objectif", label="Objectif opérationnel")
    engagement = EntierFilter(
        field_name="cible_engagement__engagement__ordre", label="Engagement (n°)"
    )
    avec_cible = filters.BooleanFilter(
        method="filtre_avec_cible", label="Avec au moins une cible annuelle (true / false)"
    )
    annee_cible = AnneeFilter(method="filtre_annee_cible", label="Avec une cible pour cette année")
    q = filters.CharFilter(
        field_name="libelle", lookup_expr="icontains", label="Recherche dans le libellé"
    )

    class Meta:
        model = Indicateur
        fields = [
            "fiche",
            "organisation",
            "objectif",
            "engagement",
            "type",
            "unite",
            "desagregation",
            "actif",
            "avec_cible",
            "annee_cible",
            "q",
        ]

    def filtre_avec_cible(self, queryset, name, value):
        avec = CibleAnnuelle.objects.values("indicateur")
        return queryset.filter(pk__in=avec) if value else queryset.exclude(pk__in=avec)

    def filtre_annee_cible(self, queryset, name, value):
        return queryset.filter(
            pk__in=CibleAnnuelle.objects.filter(annee=value).values("indicateur")
        )

    def filtre_objectif(self, queryset, name, value):
        return queryset.filter(
            Q(fiche__objectif__numero=value)
            | Q(cible_engagement__engagement__objectif__numero=value)
        )


class EvolutionFilterSet(FiltresApi):
    fiche_initiale = filters.CharFilter(
        field_name="fiche_initiale__numero", label="Fiche initiale (numéro 2015)"
    )
    fiche_nouvelle = filters.CharFilter(
        field_name="fiches_nouvelles__numero", label="Nouvelle fiche (numéro 2019)", distinct=True
    )
    q = filters.CharFilter(
        field_name="commentaire", lookup_expr="icontains", label="Recherche dans le commentaire"
    )

    class Meta:
        model = Evolution
        fields = ["sort", "sort_deduit", "lien_deduit", "fiche_initiale", "fiche_nouvelle", "q"]


class AnomalieFilterSet(FiltresApi):
    fiche = filters.CharFilter(field_name="fiches__numero", label="Fiche (numéro)", distinct=True)
    q = filters.CharFilter(field_name="description", lookup_expr="icontains", label="Recherche")

    class Meta:
        model = Anomalie
        fields = ["categorie", "statut", "fiche", "q"]
