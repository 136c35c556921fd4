"""Pieces of the fiche admin that read beyond the fiche row: full-text
search, lineage, and the change history written by the database."""

from django.contrib import admin
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from contrat.models import Modification
from fiches.models import Fiche

# Rows that belong to a fiche and whose changes show on its history page.
TABLES_ENFANTS = ["fiches_indicateur", "fiches_souspartie"] + [
    f"fiches_fiche_{nom}" for nom in ("enjeux", "pilotes", "partenaires", "quartiers", "axes")
]


def recherche_plein_texte(queryset, search_term):
    """Fiches of ``queryset`` whose sections match ``search_term`` (French
    stemming: "entreprises" finds "entreprise")."""
    requete = SearchQuery(search_term, config="french", search_type="websearch")
    # Filter with @@ (ts_rank gives non-matching rows a tiny positive rank).
    return queryset.annotate(vecteur=Fiche.vecteur_recherche()).filter(vecteur=requete).values("pk")


def _lien(fiche):
    url = reverse("admin:fiches_fiche_change", args=[fiche.pk])
    return format_html('<a href="{}">{} ({})</a>', url, fiche.numero, fiche.version.code)


def lignee_html(fiche):
    """Where the fiche comes from and what it became, with links both ways."""
    origines = [
        format_html(
            "<li>{} — {} : {}</li>",
            _lien(e.fiche_initiale) if e.fiche_initiale_id else "fiche initiale non identifiée",
            e.get_sort_display(),
            e.commentaire or "—",
        )
        for e in fiche.origines.select_related("fiche_initiale__version")
    ]
    devenir = [
        format_html(
            "<li>{} → {} : {}</li>",
            e.get_sort_display(),
            format_html_join(
                ", ", "{}", ((_lien(f),) for f in e.fiches_nouvelles.select_related("version"))
            )
            or "aucune fiche",
            e.commentaire or "—",
        )
        for e in fiche.devenir.all()
    ]
    parties = []
    if origines:
        parties.append(
            format_html(
                "<p><strong>Issue de :</strong></p><ul>{}</ul>",
                format_html_join("", "{}", ((o,) for o in origines)),
            )
        )
    if devenir:
        parties.append(
            format_html(
                "<p><strong>Devenue :</strong></p><ul>{}</ul>",
                format_html_join("", "{}", ((d,) for d in devenir)),
            )
        )
    if not parties:
        return "Aucune ligne du tableau d'évolution."
    return format_html_join("", "{}", ((p,) for p in parties))


def modifications_de_la_fiche(fiche):
    return (
        Modification.objects.filter(
            Q(table="fiches_fiche", objet_id=str(fiche.pk))
            | Q(table__in=TABLES_ENFANTS, apres__fiche_id=fiche.pk)
            | Q(table__in=TABLES_ENFANTS, avant__fiche_id=fiche.pk)
        )
        .select_related("utilisateur")
        .order_by("-date", "-id")
    )


class FicheAdminExtras:
    """Mixed into FicheAdmin."""

    def get_search_results(self, request, queryset, search_term):
        # ``queryset`` already carries the changelist's filters: keep them.
        filtrees = queryset
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if not search_term.strip():
            return queryset, may_have_duplicates
        trouvees = filtrees.filter(
            Q(pk__in=queryset.values("pk"))
            | Q(pk__in=recherche_plein_texte(Fiche.objects.all(), search_term))
        )
        return trouvees, may_have_duplicates

    @admin.display(description="filiation")
    def lignee(self, obj):
        return lignee_html(obj) if obj.pk else "—"

    def history_view(self, request, object_id, extra_context=None):
        fiche = get_object_or_404(Fiche, pk=object_id)
        if not self.has_view_or_change_permission(request, fiche):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"Historique de la fiche {fiche.numero}",
            "object": fiche,
            "opts": self.model._meta,
            "modifications": modifications_de_la_fiche(fiche)[:500],
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/fiches/fiche/historique.html", context)
