"""Data for the chart tests, written through the services as staff would:

- ``2019-1.1-4`` (a count): baseline 10 in 2018, targets 12 in 2021 and 15
  in 2022, one validated value, 11 in 2021 — a single-year indicator whose
  2022 target must be drawn at 2022;
- ``2019-1.1-8`` (a percentage, by quartier): targets 40 in 2021 and 45 in
  2022, validated values for two quartiers in 2020 and 2021.

Run on a served test database by ``manage.py shell -c "from
tests.donnees_graphiques import preparer; preparer()"`` (see
tests/test_graphiques_navigateur.py); also handy on a development database.
The figures are test data, not the avenant's.
"""

import datetime

UNE_ANNEE = "2019-1.1-4"
PAR_QUARTIER = "2019-1.1-8"


def preparer(identifiant="demo-equipe"):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from engagements.models import Campagne
    from engagements.services import campagne_ouvrir, grille_enregistrer, valeurs_statuer
    from fiches import parametrage
    from fiches.models import Indicateur
    from fiches.services import LigneParametrage, indicateurs_parametrer

    equipe = get_user_model().objects.get(username=identifiant)

    def ligne(code, **valeurs):
        indicateur = parametrage.indicateurs_du_plan().get(code=code)
        return LigneParametrage(
            ligne=code, code=code, jeton=parametrage.jeton(indicateur), valeurs=valeurs
        )

    def valider(code, annee, saisies):
        valeurs = grille_enregistrer(
            utilisateur=equipe,
            indicateur=Indicateur.objects.get(code=code),
            annee=annee,
            saisies={k: (v, 0) for k, v in saisies.items()},
            soumettre=True,
        )
        valeurs_statuer(utilisateur=equipe, valeurs=[(v, v.version) for v in valeurs], valider=True)

    with transaction.atomic():
        for annee in (2020, 2021):
            if not Campagne.objects.filter(annee=annee).exists():
                campagne_ouvrir(
                    utilisateur=equipe, annee=annee, date_limite=datetime.date(annee + 1, 3, 31)
                )
        indicateurs_parametrer(
            utilisateur=equipe,
            lignes=[
                ligne(
                    UNE_ANNEE,
                    unite="nombre",
                    valeur_reference="10",
                    annee_reference="2018",
                    cible_2021="12",
                    cible_2022="15",
                ),
                ligne(
                    PAR_QUARTIER,
                    unite="pourcentage",
                    desagregation="quartier",
                    cible_2021="40",
                    cible_2022="45",
                ),
            ],
        )
        valider(UNE_ANNEE, 2021, {("", ""): "11"})
        valider(PAR_QUARTIER, 2020, {("gely", ""): "30", ("cevennes", ""): "34,5"})
        valider(PAR_QUARTIER, 2021, {("gely", ""): "36", ("cevennes", ""): "41"})
