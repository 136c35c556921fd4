import datetime
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from contrat.comptes import COMPTE_DEMO_EQUIPE, COMPTES_DEMO_PARTENAIRES, DEMO_PASSWORD, GROUPE_DEMO
from contrat.models import Membre, Organisation

# Defined in contrat.comptes, which refuses these accounts in production.
STAFF_USERNAME = COMPTE_DEMO_EQUIPE
PARTENAIRES = COMPTES_DEMO_PARTENAIRES
__all__ = ["DEMO_PASSWORD", "PARTENAIRES", "STAFF_USERNAME", "Command"]
# The avenant's years; the demo opens them so partners have something to fill.
ANNEES_DEMO = [2019, 2020, 2021, 2022]


class Command(BaseCommand):
    help = (
        "Crée (ou remet) les comptes de démonstration : l'équipe politique de la ville et un "
        "compte par partenaire financeur, et ouvre les campagnes 2019-2022 si aucune n'existe."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("Refusé en production : créez les comptes avec createsuperuser.")
        User = get_user_model()
        groupe_demo, _ = Group.objects.get_or_create(name=GROUPE_DEMO)

        def compte(username, **attrs):
            user, _ = User.objects.get_or_create(username=username)
            for key, value in attrs.items():
                setattr(user, key, value)
            user.is_active = True
            user.set_password(DEMO_PASSWORD)
            user.save()
            # The flag that keeps the account out of production.
            user.groups.add(groupe_demo)
            return user

        equipe = compte(
            STAFF_USERNAME,
            first_name="Équipe",
            last_name="Politique de la ville",
            is_staff=True,
            is_superuser=True,
        )
        lignes = [(STAFF_USERNAME, "équipe politique de la ville (administration, validation)")]
        for username, slug in PARTENAIRES:
            organisation = Organisation.objects.get(slug=slug)
            user = compte(
                username,
                first_name="Démo",
                last_name=organisation.nom,
                is_staff=False,
                is_superuser=False,
            )
            Membre.objects.update_or_create(
                utilisateur=user, defaults={"organisation": organisation}
            )
            lignes.append((username, organisation.nom))

        from engagements.models import Campagne
        from engagements.services import campagne_ouvrir

        if not Campagne.objects.exists():
            for annee in ANNEES_DEMO:
                campagne_ouvrir(
                    utilisateur=equipe,
                    annee=annee,
                    date_limite=datetime.date(annee + 1, 3, 31),
                    libelle=f"Campagne {annee}",
                )

        port = os.getenv("PORT", "8000")
        self.stdout.write(
            self.style.SUCCESS(f"Comptes de démonstration — mot de passe commun : {DEMO_PASSWORD}")
        )
        for username, role in lignes:
            self.stdout.write(f"  {username:<18} {role}")
        self.stdout.write(
            f"Saisie des partenaires : http://127.0.0.1:{port}/connexion/ — "
            f"administration : http://127.0.0.1:{port}/admin/"
        )
