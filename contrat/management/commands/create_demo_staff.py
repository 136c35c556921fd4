import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_USERNAME = "demo-equipe"
DEMO_PASSWORD = "contrat-de-ville-2019"


class Command(BaseCommand):
    help = "Crée (ou remet) le compte de démonstration de l'équipe politique de la ville."

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("Refusé en production : créez les comptes avec createsuperuser.")
        User = get_user_model()
        user, created = User.objects.get_or_create(username=DEMO_USERNAME)
        user.first_name = "Équipe"
        user.last_name = "Politique de la ville"
        user.is_staff = True
        user.is_superuser = True
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        verb = "créé" if created else "mis à jour"
        self.stdout.write(
            self.style.SUCCESS(
                f"Compte de démonstration {verb} — identifiant : {DEMO_USERNAME} "
                f"— mot de passe : {DEMO_PASSWORD} — http://127.0.0.1:{os.getenv('PORT', '8000')}/admin/"
            )
        )
