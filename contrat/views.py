from django.db.models import Count, Sum
from django.shortcuts import render

from contrat.erreurs import Introuvable, reponse_json
from contrat.models import AxeTransversal, Contrat, Objectif, Quartier, Signataire


def accueil(request):
    """Public home page: the contract frame at a glance."""
    contrat = Contrat.objects.prefetch_related("avenants").first()
    objectifs = Objectif.objects.prefetch_related("enjeux")
    quartiers = Quartier.objects.all()
    context = {
        "contrat": contrat,
        "objectifs": objectifs,
        "axes": AxeTransversal.objects.all(),
        "quartiers": quartiers,
        "population_totale": quartiers.aggregate(total=Sum("population"))["total"],
        "nb_signataires": Signataire.objects.aggregate(n=Count("pk"))["n"],
    }
    return render(request, "contrat/accueil.html", context)


def introuvable(request, exception=None):
    """404: JSON for the API (its one error format), a French page elsewhere."""
    if request.path.startswith("/api/"):
        return reponse_json(Introuvable())
    return render(request, "404.html", status=404)
