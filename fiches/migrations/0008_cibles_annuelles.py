"""Yearly targets: each indicator's single target (``valeur_cible``,
``annee_cible``) becomes one ``CibleAnnuelle``, then the two fields go.

A target whose year the avenant does not give (most of Annexe 1's) is placed
on the protocol's last year, 2022, and its comment says so: a yearly target
needs a year, and the PERR runs to 2022. The history and generation triggers
of the new table are added by ``contrat.historique``'s post_migrate handler.
"""

import django.db.models.deletion
from django.db import migrations, models

# Frozen here: the year given to a target the avenant leaves without one.
ANNEE_SANS_ECHEANCE = 2022
COMMENTAIRE_SANS_ECHEANCE = "Échéance non précisée par l'avenant : fin du protocole (2022) retenue."


def cible_annuelle_de(valeur_cible, annee_cible):
    """``(annee, valeur, commentaire)`` for an indicator's former single
    target, or None when it had none."""
    if valeur_cible is None:
        return None
    if annee_cible is None:
        return ANNEE_SANS_ECHEANCE, valeur_cible, COMMENTAIRE_SANS_ECHEANCE
    return annee_cible, valeur_cible, ""


def reprendre_cibles(apps, schema_editor):
    Indicateur = apps.get_model("fiches", "Indicateur")
    CibleAnnuelle = apps.get_model("fiches", "CibleAnnuelle")
    nouvelles = []
    for pk, valeur, annee in Indicateur.objects.filter(valeur_cible__isnull=False).values_list(
        "pk", "valeur_cible", "annee_cible"
    ):
        annee, valeur, commentaire = cible_annuelle_de(valeur, annee)
        nouvelles.append(
            CibleAnnuelle(indicateur_id=pk, annee=annee, valeur=valeur, commentaire=commentaire)
        )
    CibleAnnuelle.objects.bulk_create(nouvelles)


def rendre_cibles(apps, schema_editor):
    # Backwards: the earliest yearly target becomes the single target again.
    Indicateur = apps.get_model("fiches", "Indicateur")
    CibleAnnuelle = apps.get_model("fiches", "CibleAnnuelle")
    vues = set()
    for cible in CibleAnnuelle.objects.order_by("indicateur_id", "annee"):
        if cible.indicateur_id in vues:
            continue
        vues.add(cible.indicateur_id)
        annee = None if cible.commentaire == COMMENTAIRE_SANS_ECHEANCE else cible.annee
        Indicateur.objects.filter(pk=cible.indicateur_id).update(
            valeur_cible=cible.valeur, annee_cible=annee
        )


class Migration(migrations.Migration):
    dependencies = [
        ("fiches", "0007_series_indicateurs"),
    ]

    operations = [
        migrations.CreateModel(
            name="CibleAnnuelle",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("annee", models.PositiveSmallIntegerField(verbose_name="année")),
                (
                    "valeur",
                    models.DecimalField(
                        decimal_places=2, max_digits=16, verbose_name="valeur cible"
                    ),
                ),
                (
                    "commentaire",
                    models.CharField(blank=True, max_length=500, verbose_name="commentaire"),
                ),
                (
                    "indicateur",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cibles_annuelles",
                        to="fiches.indicateur",
                        verbose_name="indicateur",
                    ),
                ),
            ],
            options={
                "verbose_name": "cible annuelle",
                "verbose_name_plural": "cibles annuelles",
                "ordering": ["indicateur", "annee"],
            },
        ),
        migrations.AddConstraint(
            model_name="cibleannuelle",
            constraint=models.UniqueConstraint(
                fields=("indicateur", "annee"), name="fiches_cibleannuelle_unique_annee"
            ),
        ),
        migrations.AddConstraint(
            model_name="cibleannuelle",
            constraint=models.CheckConstraint(
                condition=models.Q(("annee__gte", 2015), ("annee__lte", 2030)),
                name="fiches_cibleannuelle_annee_du_contrat",
            ),
        ),
        migrations.RunPython(reprendre_cibles, rendre_cibles),
        migrations.RemoveConstraint(
            model_name="indicateur",
            name="fiches_indicateur_cible_pourcentage",
        ),
        migrations.RemoveField(model_name="indicateur", name="annee_cible"),
        migrations.RemoveField(model_name="indicateur", name="valeur_cible"),
    ]
