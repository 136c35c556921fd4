import random
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from contrat.historique import auteur
from engagements.models import Campagne, Valeur
from engagements.services import grille_cles
from fiches.models import Indicateur


class Command(BaseCommand):
    help = (
        "Génère des valeurs SYNTHÉTIQUES (marquées comme telles) pour les démonstrations et "
        "les bancs d'essai. Jamais en production ; --supprimer les retire toutes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--annees", type=int, nargs="+", default=[2019, 2020, 2021, 2022])
        parser.add_argument(
            "--statut", choices=[s for s, _ in Valeur.Statut.choices], default=Valeur.Statut.VALIDEE
        )
        parser.add_argument(
            "--graine", type=int, default=2019, help="Graine du hasard (reproductible)."
        )
        parser.add_argument(
            "--supprimer", action="store_true", help="Supprime les valeurs synthétiques."
        )

    @transaction.atomic
    def handle(self, *args, annees, statut, graine, supprimer, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "Refusé en production : les valeurs synthétiques sont pour les démonstrations."
            )
        with auteur(None, "valeurs synthétiques"):
            if supprimer:
                n, _ = Valeur.objects.filter(synthetique=True).delete()
                self.stdout.write(f"{n} valeur(s) synthétique(s) supprimée(s).")
                return
            manquantes = set(annees) - set(
                Campagne.objects.filter(annee__in=annees).values_list("annee", flat=True)
            )
            if manquantes:
                raise CommandError(f"Ouvrez d'abord les campagnes {sorted(manquantes)}.")
            systeme, _ = get_user_model().objects.get_or_create(
                username="generateur-synthetique", defaults={"is_active": False}
            )
            hasard = random.Random(graine)
            existantes = set(
                Valeur.objects.filter(annee__in=annees).values_list(
                    "indicateur", "annee", "quartier", "sexe"
                )
            )
            maintenant = timezone.now()
            nouvelles = []
            for indicateur in Indicateur.objects.a_saisir():
                base = hasard.uniform(5, 500)
                for annee in annees:
                    for quartier, sexe in grille_cles(indicateur):
                        cle = (indicateur.pk, annee, quartier.pk if quartier else None, sexe)
                        if cle in existantes:
                            continue
                        nouvelles.append(
                            Valeur(
                                indicateur=indicateur,
                                annee=annee,
                                quartier=quartier,
                                sexe=sexe,
                                valeur=self.valeur(indicateur, base, annee, hasard),
                                statut=statut,
                                saisie_par=systeme,
                                saisie_le=maintenant,
                                synthetique=True,
                                note="Valeur synthétique (démonstration)",
                            )
                        )
            Valeur.objects.bulk_create(nouvelles, batch_size=2000)
        self.stdout.write(
            self.style.WARNING(f"{len(nouvelles)} valeur(s) SYNTHÉTIQUE(S) créée(s) ({statut}).")
        )

    @staticmethod
    def valeur(indicateur, base, annee, hasard):
        tendance = 1 + 0.05 * (annee - 2019)
        if indicateur.unite == Indicateur.Unite.POURCENTAGE:
            return Decimal(str(round(min(100, hasard.uniform(5, 60) * tendance), 1)))
        if indicateur.unite == Indicateur.Unite.NOMBRE or not indicateur.unite:
            return Decimal(int(base * tendance * hasard.uniform(0.7, 1.3)))
        return Decimal(str(round(base * tendance * hasard.uniform(0.7, 1.3), 2)))
