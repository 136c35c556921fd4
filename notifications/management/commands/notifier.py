import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.services import notifier


class Command(BaseCommand):
    help = (
        "Envoie les notifications du jour : ouverture de campagne, rappels à 15 et 3 jours "
        "de la date limite, retards, synthèse des soumissions de la veille pour l'équipe. "
        "Idempotent : chaque message n'est envoyé qu'une fois."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Jour à traiter, AAAA-MM-JJ (par défaut : aujourd'hui).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche les messages qui partiraient, sans rien enregistrer ni envoyer.",
        )

    def handle(self, *args, date=None, dry_run=False, **options):
        if date:
            try:
                jour = datetime.date.fromisoformat(date[:10])
            except ValueError:
                raise CommandError(f"Date invalide : {date!r} (attendu AAAA-MM-JJ).") from None
        else:
            jour = timezone.localdate()
        messages = notifier(jour=jour, dry_run=dry_run)
        for m in messages:
            destinataire = getattr(m, "destinataire", None)
            self.stdout.write(f"{m.type}\t{destinataire.get_username()}\t{m.cle}\t{m.titre}")
        verbe = "à envoyer" if dry_run else "enregistrés"
        self.stdout.write(f"{jour.isoformat()} : {len(messages)} message(s) {verbe}.")
