from django.core.management.base import BaseCommand

from fiches.integrite import rapport_integrite
from fiches.models import Anomalie


class Command(BaseCommand):
    help = (
        "Vérifie l'avenant contre lui-même : comptes de fiches par objectif, enjeu et "
        "pilier, sorts du tableau d'évolution comparés à l'article 4.1, écarts relevés "
        "et fiches dont une section est vide."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan", dest="version", help="Code de la version (par défaut : en vigueur)."
        )
        parser.add_argument(
            "--enregistrer",
            action="store_true",
            help="Enregistre comme anomalies du texte les écarts qui ne le sont pas encore.",
        )

    def handle(self, *args, version=None, enregistrer=False, **options):
        rapport = rapport_integrite(version_code=version)
        w = self.stdout.write
        w(f"Version : {rapport.version} — {rapport.nb_fiches} fiches")
        w("\nComptes (annoncé / trouvé) :")
        for libelle, annonce, trouve in rapport.comptes:
            marque = "  ⚠" if annonce is not None and annonce != trouve else ""
            w(f"  {libelle} : {'—' if annonce is None else annonce} / {trouve}{marque}")
        w(
            "\nFiches par objectif : "
            + ", ".join(f"{k or 'transversales'}: {n}" for k, n in rapport.par_objectif)
        )
        w("Fiches par enjeu : " + ", ".join(f"{k}: {n}" for k, n in rapport.par_enjeu))
        w("Fiches par pilier : " + ", ".join(f"{k or 'aucun'}: {n}" for k, n in rapport.par_pilier))
        w(f"\nÉcarts relevés : {len(rapport.ecarts)}")
        for ecart in rapport.ecarts:
            suivi = ecart.anomalie.get_statut_display() if ecart.anomalie else "non enregistré"
            w(f"  [{ecart.categorie}] {ecart.description} ({ecart.localisation}) — {suivi}")
        w(f"\nAnomalies enregistrées : {len(rapport.anomalies_enregistrees)}")
        for anomalie in rapport.anomalies_enregistrees:
            w(f"  {anomalie.code} — {anomalie.get_statut_display()} — {anomalie.description}")
        w(f"\nFiches dont une section est vide : {len(rapport.sections_vides)}")
        for fiche, sections in rapport.sections_vides:
            w(f"  {fiche.numero} : {', '.join(sections)}")
        if enregistrer:
            nouveaux = 0
            for ecart in rapport.ecarts_non_enregistres:
                anomalie, created = Anomalie.objects.get_or_create(
                    code=ecart.code,
                    defaults={
                        "categorie": ecart.categorie,
                        "description": ecart.description,
                        "localisation": ecart.localisation[:500],
                    },
                )
                if created:
                    anomalie.fiches.set(rapport.version.fiches.filter(numero__in=ecart.fiches))
                    nouveaux += 1
            w(self.style.SUCCESS(f"{nouveaux} anomalie(s) enregistrée(s)."))
