from django.core.management.base import BaseCommand, CommandError

from contrat.couverture import SOURCE, verifier


class Command(BaseCommand):
    help = (
        "Vérifie que chaque ligne non vide du texte de l'avenant "
        "(tools/transcription/source/) se retrouve dans les données chargées, "
        "ou figure dans la liste commentée des omissions délibérées."
    )

    def handle(self, *args, **options):
        manquantes = verifier()
        for ligne in manquantes:
            self.stdout.write(str(ligne))
        if manquantes:
            raise CommandError(
                f"{len(manquantes)} ligne(s) de {SOURCE.name} absente(s) des données."
            )
        self.stdout.write(self.style.SUCCESS(f"Toutes les lignes de {SOURCE.name} sont couvertes."))
