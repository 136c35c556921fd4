from django.core.management.base import BaseCommand

from contrat.seeding import model_verbose_name, seed


class Command(BaseCommand):
    help = (
        "Charge les données de l'avenant (fixtures/) dans la base, dans l'ordre des "
        "dépendances. Idempotent : une seconde exécution ne change rien. Les lignes "
        "modifiées depuis par l'équipe sont conservées (sauf --reset)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Remet le texte de l'avenant sur les lignes modifiées depuis le chargement.",
        )

    def handle(self, *args, reset=False, **options):
        report = seed(reset=reset)
        for label in report.models:
            self.stdout.write(
                f"{model_verbose_name(label)} : {report.created[label]} créé(s), "
                f"{report.unchanged[label]} inchangé(s), "
                f"{report.kept[label]} modifié(s) depuis et conservé(s), "
                f"{report.reset[label]} réinitialisé(s)"
                + (f", {report.filled[label]} complété(s)" if report.filled[label] else "")
            )
        for phrase in report.reprises:
            self.stdout.write(f"reprise : {phrase}")
        for label, row, changed in report.kept_rows:
            self.stdout.write(
                self.style.WARNING(
                    f"conservé tel que modifié : {row} ({label} ; champs {', '.join(changed)})"
                )
            )
        total = sum(report.created.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.files)} fichier(s) de données chargé(s), {total} ligne(s) créée(s)."
            )
        )
