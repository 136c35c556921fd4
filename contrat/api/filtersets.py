import django_filters as filters

from contrat.api.filtres import FiltresApi
from contrat.models import Organisation, Signataire


class OrganisationFilterSet(FiltresApi):
    q = filters.CharFilter(method="recherche", label="Recherche (nom, sigle, alias)")
    type = filters.ChoiceFilter(choices=Organisation.Type.choices, label="Type")
    rattachement = filters.CharFilter(
        field_name="rattachement__slug", label="Rattachée à (identifiant)"
    )
    signataire = filters.BooleanFilter(method="filtre_signataire", label="Signataire de l'avenant")

    class Meta:
        model = Organisation
        fields = ["q", "type", "rattachement", "signataire"]

    def recherche(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(
            Q(nom__icontains=value)
            | Q(sigle__icontains=value)
            | Q(aliases__libelle__icontains=value)
        ).distinct()

    def filtre_signataire(self, queryset, name, value):
        return queryset.filter(signatures__isnull=not value).distinct()


class SignataireFilterSet(FiltresApi):
    organisation = filters.CharFilter(
        field_name="organisation__slug", label="Organisation (identifiant)"
    )
    q = filters.CharFilter(method="recherche", label="Recherche (désignation, représentant)")

    class Meta:
        model = Signataire
        fields = ["organisation", "q"]

    def recherche(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(designation__icontains=value) | Q(representant__icontains=value))
