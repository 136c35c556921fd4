import time

from django.core.management.base import BaseCommand

from fiches.models import LienSerie
from fiches.services import series_proposer


class Command(BaseCommand):
    help = (
        "Propose les séries d'indicateurs (même fait énoncé deux fois : indicateur de suivi "
        "de l'annexe 2 et indicateur de la fiche, ou filiation 2015 → 2019) et les enregistre "
        "comme liens « proposés » ; l'équipe les confirme ou les rejette dans l'administration."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seuil", type=float, default=None, help="Score minimal (0 à 1, défaut 0,8)."
        )
        parser.add_argument(
            "--lister", action="store_true", help="Affiche chaque candidat avec sa raison."
        )

    def handle(self, *args, seuil=None, lister=False, **options):
        debut = time.perf_counter()
        trouves, nouveaux = series_proposer(seuil=seuil)
        duree = time.perf_counter() - debut
        w = self.stdout.write
        if lister:
            for candidat in trouves:
                w(
                    f"{candidat.score}  {candidat.indicateur.code} → {candidat.reference.code}"
                    f"  [{candidat.origine}]  {candidat.raison}"
                )
        par_origine = {}
        for candidat in trouves:
            par_origine[candidat.origine] = par_origine.get(candidat.origine, 0) + 1
        detail = ", ".join(f"{n} {o}" for o, n in sorted(par_origine.items())) or "aucun"
        w(f"{len(trouves)} candidat(s) trouvé(s) ({detail}) en {duree:.2f} s.")
        w(f"{len(nouveaux)} nouveau(x) lien(s) proposé(s).")
        statuts = {s: LienSerie.objects.filter(statut=s).count() for s in LienSerie.Statut}
        w(
            "Liens : "
            + ", ".join(f"{n} {s.label.lower()}" for s, n in statuts.items())
            + " (administration : Séries d'indicateurs)."
        )
