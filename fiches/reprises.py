"""Bring a database seeded by an earlier version of the fiche fixtures up to
the current one, where the fixtures split an indicator in several.

``fixtures/fiches/reprises/*.json`` (written by
``tools/transcription/scissions.py``; not a fixture: ``seed`` reads only the
files directly under ``fixtures/fiches/``) lists, for each fiche whose
indicators were split, its indicators before and after (code, ordre,
libellé, rubrique). ``manage.py seed`` calls :func:`reprendre` before it reads
any fixture (``FichesConfig.reprendre_avant_seed``), in its transaction:

- an indicator whose code goes on, still holding the former (merged) label:
  without values, it takes its new label and rubrique; with values, it is
  kept whole under a derived code (``<code>-avant-scission``), no longer to be
  entered (``actif`` off), and the fixture creates the new indicator under the
  code — no value is lost or moved onto a narrower label;
- an indicator the fixtures dropped (a heading stored as an indicator): deleted
  when it has no values, kept out of entry (``actif`` off) otherwise;
- the fiche's other indicators take their new place (``ordre``), so the rows
  the fixture adds find their place free.

A row staff edited since (a label that is neither the former nor the new one)
is left alone, and ``seed`` reports it as it reports every staff edit. On a
fresh database, or a second run, there is nothing to do.
"""

import json
from pathlib import Path

from django.conf import settings
from django.db.models import Max

from fiches.models import Fiche, Indicateur

REPRISES_DIR = Path(settings.BASE_DIR) / "fixtures" / "fiches" / "reprises"
SUFFIXE_CONSERVE = "-avant-scission"
# Kept rows leave the fixture's places: from this rank on.
RANG_HORS_LISTE = 1000


def _a_des_valeurs(indicateur):
    """Whether any row of another table refers to the indicator (values,
    targets...): read from the model's reverse relations, as the apps above
    this one are not imported here. One query per relation."""
    for relation in Indicateur._meta.related_objects:
        modele = relation.related_model
        if modele._default_manager.filter(**{relation.field.name: indicateur}).exists():
            return True
    return False


def entrees():
    for chemin in sorted(REPRISES_DIR.glob("*.json")):
        yield from json.loads(chemin.read_text(encoding="utf-8"))


def reprendre(*, report=None, reset=False):
    """Apply every take-over entry to the database. Returns the sentences
    saying what was done (also appended to ``report.reprises``)."""
    phrases = []
    for entree in entrees():
        try:
            fiche = Fiche.objects.get_by_natural_key(*entree["fiche"])
        except Fiche.DoesNotExist:
            continue
        phrases.extend(_reprendre_fiche(fiche, entree["avant"], entree["apres"]))
    if report is not None:
        report.reprises.extend(phrases)
    return phrases


def _reprendre_fiche(fiche, avant, apres):
    phrases = []
    lignes = {i.code: i for i in fiche.indicateurs.all()}
    nouveaux = {a["code"]: a for a in apres}
    anciens = {a["code"]: a for a in avant}
    if all(
        code in lignes and lignes[code].libelle == a["libelle"] and lignes[code].ordre == a["ordre"]
        for code, a in nouveaux.items()
    ):
        return phrases  # already the current layout
    hors_liste = max(RANG_HORS_LISTE, (fiche.indicateurs.aggregate(m=Max("ordre"))["m"] or 0) + 1)
    ecartes = []
    for code, ancien in anciens.items():
        ligne = lignes.get(code)
        nouveau = nouveaux.get(code)
        if ligne is None or ligne.libelle != ancien["libelle"]:
            continue  # gone, already taken over, or edited by staff
        if nouveau is not None and nouveau["libelle"] == ancien["libelle"]:
            continue  # the same indicator, maybe at another place
        if _a_des_valeurs(ligne):
            if nouveau is not None:
                ligne.code = f"{code}{SUFFIXE_CONSERVE}"
            ligne.actif = False
            ecartes.append(ligne)
            phrases.append(
                f"{fiche.numero} : l'indicateur {code} « {ancien['libelle'][:80]} » a des "
                f"valeurs : conservé sous le code {ligne.code}, plus à renseigner"
            )
        elif nouveau is not None:
            ligne.libelle = nouveau["libelle"]
            ligne.rubrique = nouveau.get("rubrique", "")
            ligne.save(update_fields=["libelle", "rubrique"])
            phrases.append(
                f"{fiche.numero} : l'indicateur {code} est scindé, il garde le 1er élément"
            )
        else:
            ligne.delete()
            del lignes[code]
            phrases.append(
                f"{fiche.numero} : l'intitulé « {ancien['libelle']} » n'est plus un indicateur "
                f"(supprimé : aucune valeur)"
            )
    # Places: first out of the way (the unique (fiche, ordre) is checked row
    # by row), then the fixture's order; rows kept aside, and rows staff
    # added, go after the fixture's places.
    a_placer = {}
    for ligne in lignes.values():
        if ligne in ecartes:
            a_placer[ligne] = hors_liste
            hors_liste += 1
        elif ligne.code in nouveaux:
            a_placer[ligne] = nouveaux[ligne.code]["ordre"]
    a_placer = {ligne: o for ligne, o in a_placer.items() if ligne.ordre != o or ligne in ecartes}
    places = set(a_placer.values())
    for ligne in lignes.values():
        if ligne not in a_placer and ligne.ordre in places:
            a_placer[ligne] = hors_liste
            hors_liste += 1
    for rang, ligne in enumerate(a_placer, start=1):
        Indicateur.objects.filter(pk=ligne.pk).update(ordre=30000 + rang)
    for ligne, ordre in a_placer.items():
        ligne.ordre = ordre
        ligne.save(update_fields=["ordre", "code", "actif"])
    return phrases
