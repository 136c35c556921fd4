"""Indicators: the heading of their cell (``rubrique``); evolution rows: the
"indicateurs de suivi" cell as printed; fiche–quartier links: an explicit
model on the existing table, with the deduced links' flag, place and
justification.

The link table keeps its name and rows (``fiches_fiche_quartiers``, under
history triggers since 0002): only the state moves to the ``FicheQuartier``
model, then the new columns are added and the unique constraint Django
generated is renamed to the model's.
"""

import django.db.models.deletion
from django.db import migrations, models

import contrat.textes

RENOMMER_CONTRAINTE = """
DO $$
DECLARE nom text;
BEGIN
    SELECT conname INTO nom FROM pg_constraint
    WHERE conrelid = 'fiches_fiche_quartiers'::regclass AND contype = 'u';
    IF nom IS NOT NULL AND nom <> 'fiches_fichequartier_unique_lien' THEN
        EXECUTE format(
            'ALTER TABLE fiches_fiche_quartiers RENAME CONSTRAINT %I TO fiches_fichequartier_unique_lien',
            nom
        );
    END IF;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("contrat", "0001_initial"),
        ("fiches", "0005_maitre_oeuvre_calendrier"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicateur",
            name="rubrique",
            field=models.CharField(
                blank=True,
                help_text="L'intitulé sous lequel la cellule range l'indicateur (« Objectifs chiffrés : »).",
                max_length=200,
                verbose_name="rubrique (telle qu'écrite)",
            ),
        ),
        migrations.AddField(
            model_name="evolution",
            name="indicateurs_suivi_texte",
            field=contrat.textes.TexteField(
                blank=True,
                help_text="La cellule telle que le texte l'imprime, un élément par ligne ; les indicateurs de suivi de la nouvelle fiche en sont tirés, un par élément.",
                verbose_name="indicateurs de suivi (tels qu'écrits)",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="FicheQuartier",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "fiche",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="liens_quartiers",
                                to="fiches.fiche",
                                verbose_name="fiche",
                            ),
                        ),
                        (
                            "quartier",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="liens_fiches",
                                to="contrat.quartier",
                                verbose_name="quartier",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "fiches_fiche_quartiers",
                    },
                ),
                migrations.AlterField(
                    model_name="fiche",
                    name="quartiers",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="fiches",
                        through="fiches.FicheQuartier",
                        to="contrat.quartier",
                        verbose_name="quartiers",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="fichequartier",
                    constraint=models.UniqueConstraint(
                        fields=("fiche", "quartier"), name="fiches_fichequartier_unique_lien"
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(RENOMMER_CONTRAINTE, migrations.RunSQL.noop),
            ],
        ),
        migrations.AddField(
            model_name="fichequartier",
            name="deduit",
            field=models.BooleanField(
                default=False,
                help_text="Le périmètre ne nomme pas le quartier : il nomme un lieu que le texte y rattache ailleurs.",
                verbose_name="lien déduit",
            ),
        ),
        migrations.AddField(
            model_name="fichequartier",
            name="lieu",
            field=models.CharField(
                blank=True, max_length=200, verbose_name="lieu nommé (tel qu'écrit)"
            ),
        ),
        migrations.AddField(
            model_name="fichequartier",
            name="justification",
            field=contrat.textes.TexteField(
                blank=True,
                help_text="Les phrases de l'avenant dont le lien est déduit, telles qu'écrites.",
                verbose_name="justification (phrases du texte)",
            ),
        ),
        migrations.AlterModelOptions(
            name="fichequartier",
            options={
                "ordering": ["fiche", "quartier__ordre"],
                "verbose_name": "lien fiche – quartier",
                "verbose_name_plural": "liens fiches – quartiers",
            },
        ),
        migrations.AddConstraint(
            model_name="fichequartier",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("deduit", False),
                    models.Q(("justification", ""), _negated=True),
                    _connector="OR",
                ),
                name="fiches_fichequartier_deduit_justifie",
            ),
        ),
    ]
