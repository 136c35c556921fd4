import django_filters as filters
from django.contrib.postgres.search import SearchQuery
from django.db.models import Q

from contrat.api.filtres import AnneeFilter, EntierFilter, FiltresApi
from fiches.models import Anomalie, CibleAnnuelle, Evolution, Fiche, Indicateur, LienSerie


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
    en_serie = filters.BooleanFilter(
        method="filtre_en_serie",
        label="Lu sous un autre indicateur (membre d'une série confirmée, non saisi)",
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
            "en_serie",
            "avec_cible",
            "annee_cible",
            "q",
        ]

    def filtre_en_serie(self, queryset, name, value):
        membres = LienSerie.objects.confirmes().values("indicateur")
        return queryset.filter(pk__in=membres) if value else queryset.exclude(pk__in=membres)

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


class SerieFilterSet(FiltresApi):
    """Series, by their reference indicator."""

    fiche = filters.CharFilter(
        method="filtre_fiche", label="Fiche (numéro) de l'un des indicateurs"
    )
    organisation = filters.CharFilter(
        field_name="organisation__slug", label="Organisation responsable (identifiant)"
    )
    objectif = EntierFilter(method="filtre_objectif", label="Objectif opérationnel")
    origine = filters.ChoiceFilter(
        choices=LienSerie.Origine.choices,
        method="filtre_origine",
        label="Origine d'un lien (même fiche, filiation, déclaré)",
    )
    membre = filters.CharFilter(method="filtre_membre", label="Code d'un indicateur membre")
    q = filters.CharFilter(
        method="recherche", label="Recherche dans le libellé de la référence ou d'un membre"
    )

    class Meta:
        model = Indicateur
        fields = ["fiche", "organisation", "objectif", "origine", "membre", "q"]

    def _liens(self):
        return LienSerie.objects.confirmes()

    def filtre_fiche(self, queryset, name, value):
        liens = self._liens().filter(
            Q(reference__fiche__numero=value) | Q(indicateur__fiche__numero=value)
        )
        return queryset.filter(pk__in=liens.values("reference"))

    def filtre_objectif(self, queryset, name, value):
        return queryset.filter(
            Q(fiche__objectif__numero=value)
            | Q(cible_engagement__engagement__objectif__numero=value)
        )

    def filtre_origine(self, queryset, name, value):
        return queryset.filter(pk__in=self._liens().filter(origine=value).values("reference"))

    def filtre_membre(self, queryset, name, value):
        return queryset.filter(
            pk__in=self._liens().filter(indicateur__code=value).values("reference")
        )

    def recherche(self, queryset, name, value):
        liens = self._liens().filter(
            Q(reference__libelle__icontains=value) | Q(indicateur__libelle__icontains=value)
        )
        return queryset.filter(pk__in=liens.values("reference"))
