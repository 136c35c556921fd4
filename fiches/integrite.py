"""The avenant checked against itself.

:func:`rapport_integrite` counts the fiches of a version by objective, enjeu
and pilier, counts the fates of the evolution table, compares them with what
the text announces (Article 4.1), and lists every discrepancy it finds and
every fiche with an empty section. Each discrepancy has a stable ``code``;
known ones are recorded as :class:`~fiches.models.Anomalie` rows with the
same code, so the report says which ones staff have already examined.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch

from contrat.textes import sans_accents
from fiches.models import Anomalie, Evolution, Fiche, VersionPlan


@dataclass
class Ecart:
    code: str
    categorie: str
    description: str
    localisation: str
    fiches: list = field(default_factory=list)
    anomalie: Anomalie | None = None


@dataclass
class Rapport:
    version: VersionPlan
    par_objectif: list
    par_enjeu: list
    par_pilier: list
    sorts: dict
    comptes: list
    ecarts: list
    sections_vides: list
    anomalies_enregistrees: list

    @property
    def nb_fiches(self):
        return sum(n for _, n in self.par_objectif)

    @property
    def ecarts_non_enregistres(self):
        return [e for e in self.ecarts if e.anomalie is None]


def _normaliser(texte):
    """Letters and digits only: two titles that differ by case, accents,
    spacing, hyphens or quotes say the same thing."""
    return re.sub(r"[\W_]+", "", sans_accents(texte)).casefold()


def _comptes_annonces(version, sorts, nb_fiches, nb_initiales, disparues):
    """Rows (label, announced, found) and the discrepancies among them."""
    lignes, ecarts = [], []
    annonces = version.sorts_annonces or {}
    source = version.source_annonce or "le texte"

    def comparer(code, libelle, annonce, trouve):
        lignes.append((libelle, annonce, trouve))
        if annonce is not None and annonce != trouve:
            ecarts.append(
                Ecart(
                    code=code,
                    categorie=Anomalie.Categorie.COMPTE,
                    description=f"{libelle} : le texte en annonce {annonce}, on en compte {trouve}.",
                    localisation=source,
                )
            )

    comparer(
        f"compte-fiches-{version.code}",
        f"Fiches de la version {version.code}",
        version.nb_fiches_annonce,
        nb_fiches,
    )
    if version.precedente_id:
        comparer(
            f"compte-fiches-initiales-{version.code}",
            f"Fiches initiales ({version.precedente.code}) examinées",
            version.precedente.nb_fiches_annonce,
            nb_initiales,
        )
    for sort, libelle in Evolution.Sort.choices:
        comparer(
            f"compte-sort-{sort}-{version.code}",
            f"Fiches au sort « {libelle} »",
            annonces.get(sort),
            sorts.get(sort, 0),
        )
    if "suppression" in annonces:
        # Article 4.1 counts a fiche merged into another as deleted.
        comparer(
            f"compte-disparues-{version.code}",
            "Fiches initiales supprimées ou fusionnées dans une autre",
            annonces.get("suppression"),
            disparues,
        )
    # The announcement must add up with itself: initial - deleted + created = total.
    if version.precedente_id and annonces and version.nb_fiches_annonce is not None:
        initiales = version.precedente.nb_fiches_annonce or 0
        attendu = initiales - annonces.get("suppression", 0) + annonces.get("nouvelle", 0)
        if attendu != version.nb_fiches_annonce:
            ecarts.append(
                Ecart(
                    code=f"compte-arithmetique-{version.code}",
                    categorie=Anomalie.Categorie.COMPTE,
                    description=f"{initiales} fiches initiales − {annonces.get('suppression', 0)} "
                    f"supprimées + {annonces.get('nouvelle', 0)} créées = {attendu}, "
                    f"mais le texte annonce {version.nb_fiches_annonce} fiches.",
                    localisation=source,
                )
            )
        conservees = sum(annonces.get(s, 0) for s in ("suppression", "ajustement", "maintien"))
        if conservees != initiales:
            ecarts.append(
                Ecart(
                    code=f"compte-sorts-initiales-{version.code}",
                    categorie=Anomalie.Categorie.COMPTE,
                    description=f"Supprimées + modifiées + reconduites = {conservees}, "
                    f"mais le texte annonce {initiales} fiches initiales.",
                    localisation=source,
                )
            )
    return lignes, ecarts


def _ecarts_evolution(version, evolutions, fiches):
    ecarts = []
    numeros = {f.numero: f for f in fiches}
    par_initiale = defaultdict(list)
    for evolution in evolutions:
        if evolution.fiche_initiale_id:
            par_initiale[evolution.fiche_initiale.numero].append(evolution)
    for numero, lignes in sorted(par_initiale.items(), key=lambda kv: Fiche.cles_de_tri(kv[0])):
        if len(lignes) > 1:
            sorts = sorted({e.get_sort_display() for e in lignes})
            ecarts.append(
                Ecart(
                    code=f"doublon-initiale-{numero}-{version.code}",
                    categorie=Anomalie.Categorie.DOUBLON,
                    description=f"La fiche initiale {numero} figure sur {len(lignes)} lignes du "
                    f"tableau d'évolution (sorts : {', '.join(sorts)}).",
                    localisation="Annexe 2, lignes "
                    + ", ".join(e.lignes_source or "?" for e in lignes),
                )
            )
    origines = Counter()
    for evolution in evolutions:
        nouvelles = list(evolution.fiches_nouvelles.all())
        for fiche in nouvelles:
            origines[fiche.numero] += 1
        if evolution.sort != Evolution.Sort.NOUVELLE and not evolution.fiche_initiale_id:
            ecarts.append(
                Ecart(
                    code=f"evolution-sans-initiale-{version.code}-{evolution.ordre}",
                    categorie=Anomalie.Categorie.NUMERO,
                    description=f"La ligne {evolution.ordre} du tableau d'évolution "
                    f"(« {evolution.get_sort_display()} » vers "
                    f"« {evolution.nouveau_numero_texte or '—'} ») ne donne ni le numéro ni le "
                    "titre de la fiche initiale ; il n'en reste que : "
                    f"« {(evolution.fragment_initial or '—')[:200]} ».",
                    localisation=f"Annexe 2, lignes {evolution.lignes_source}",
                )
            )
        if evolution.sort != Evolution.Sort.SUPPRESSION and not nouvelles:
            ecarts.append(
                Ecart(
                    code=f"evolution-sans-fiche-{version.code}-{evolution.ordre}",
                    categorie=Anomalie.Categorie.NUMERO,
                    description=f"La ligne « {evolution} » du tableau d'évolution ne mène à "
                    f"aucune fiche de l'annexe 3 (nouveau n° écrit : "
                    f"« {evolution.nouveau_numero_texte or '—'} »).",
                    localisation=f"Annexe 2, lignes {evolution.lignes_source}",
                )
            )
        for fiche in nouvelles:
            if evolution.nouvel_intitule and _normaliser(evolution.nouvel_intitule) != _normaliser(
                fiche.titre
            ):
                if len(nouvelles) > 1:
                    continue  # one title for several fiches: compared nowhere
                ecarts.append(
                    Ecart(
                        code=f"titre-annexe2-{fiche.numero}-{version.code}",
                        categorie=Anomalie.Categorie.TITRE,
                        description=f"Fiche {fiche.numero} : l'annexe 2 l'intitule "
                        f"« {evolution.nouvel_intitule} », l'annexe 3 « {fiche.titre} ».",
                        localisation=f"Annexe 2, lignes {evolution.lignes_source} ; annexe 3, "
                        f"lignes {fiche.lignes_source}",
                        fiches=[fiche.numero],
                    )
                )
    for numero, fiche in numeros.items():
        if evolutions and origines[numero] == 0:
            ecarts.append(
                Ecart(
                    code=f"fiche-absente-annexe2-{numero}-{version.code}",
                    categorie=Anomalie.Categorie.NUMERO,
                    description=f"La fiche {numero} de l'annexe 3 n'apparaît dans aucune ligne "
                    "du tableau d'évolution.",
                    localisation=f"Annexe 3, lignes {fiche.lignes_source}",
                    fiches=[numero],
                )
            )
    return ecarts


def _ecarts_fiches(version, fiches):
    ecarts = []
    for fiche in fiches:
        if fiche.titre_sommaire and _normaliser(fiche.titre_sommaire) != _normaliser(fiche.titre):
            ecarts.append(
                Ecart(
                    code=f"titre-sommaire-{fiche.numero}-{version.code}",
                    categorie=Anomalie.Categorie.TITRE,
                    description=f"Fiche {fiche.numero} : le sommaire l'intitule "
                    f"« {fiche.titre_sommaire} », la fiche « {fiche.titre} ».",
                    localisation=f"Annexe 3, lignes {fiche.lignes_source}",
                    fiches=[fiche.numero],
                )
            )
        enjeux_fiche = {e.numero for e in fiche.enjeux.all()}
        if fiche.objectif_id is not None:
            enjeux_objectif = {e.numero for e in fiche.objectif.enjeux.all()}
            if enjeux_fiche and not enjeux_fiche <= enjeux_objectif:
                ecarts.append(
                    Ecart(
                        code=f"enjeux-hors-objectif-{fiche.numero}-{version.code}",
                        categorie=Anomalie.Categorie.NUMERO,
                        description=f"Fiche {fiche.numero} : ses enjeux "
                        f"({', '.join(map(str, sorted(enjeux_fiche)))}) débordent ceux de son "
                        f"objectif {fiche.objectif.numero} "
                        f"({', '.join(map(str, sorted(enjeux_objectif)))}).",
                        localisation=f"Annexe 3, lignes {fiche.lignes_source}",
                        fiches=[fiche.numero],
                    )
                )
        if fiche.enjeu_numero not in enjeux_fiche and enjeux_fiche:
            ecarts.append(
                Ecart(
                    code=f"numero-hors-enjeu-{fiche.numero}-{version.code}",
                    categorie=Anomalie.Categorie.NUMERO,
                    description=f"Fiche {fiche.numero} : son numéro la place sous l'enjeu "
                    f"{fiche.enjeu_numero}, son en-tête cite les enjeux "
                    f"{', '.join(map(str, sorted(enjeux_fiche)))}.",
                    localisation=f"Annexe 3, lignes {fiche.lignes_source}",
                    fiches=[fiche.numero],
                )
            )
    return ecarts


def rapport_integrite(*, version_code=None):
    if version_code:
        version = VersionPlan.objects.select_related("precedente").get(code=version_code)
    else:
        version = VersionPlan.objects.select_related("precedente").get(en_vigueur=True)
    fiches = list(
        Fiche.objects.filter(version=version)
        .select_related("objectif", "pilier")
        .prefetch_related("enjeux", "objectif__enjeux")
    )
    evolutions = list(
        Evolution.objects.filter(version=version)
        .select_related("fiche_initiale")
        .prefetch_related(
            Prefetch("fiches_nouvelles", queryset=Fiche.objects.only("numero", "titre"))
        )
    )

    par_objectif = Counter(f.objectif.numero if f.objectif_id else None for f in fiches)
    par_enjeu = Counter(e.numero for f in fiches for e in f.enjeux.all())
    par_pilier = Counter(f.pilier.numero if f.pilier_id else None for f in fiches)
    # The text counts fiches, not rows: an initial fiche on two rows with one
    # fate counts once; new fiches count per row.
    sorts = dict(
        Counter(
            sort
            for sort, _ in {(e.sort, e.fiche_initiale_id or f"ligne-{e.pk}") for e in evolutions}
        )
    )
    nb_initiales = (
        Fiche.objects.filter(version=version.precedente).count() if version.precedente_id else 0
    )
    disparues = len(
        {
            e.fiche_initiale_id
            for e in evolutions
            if e.fiche_initiale_id and (e.sort == Evolution.Sort.SUPPRESSION or e.lien_deduit)
        }
    )
    comptes, ecarts = _comptes_annonces(version, sorts, len(fiches), nb_initiales, disparues)
    ecarts += _ecarts_evolution(version, evolutions, fiches)
    ecarts += _ecarts_fiches(version, fiches)

    enregistrees = {a.code: a for a in Anomalie.objects.prefetch_related("fiches")}
    for ecart in ecarts:
        ecart.anomalie = enregistrees.get(ecart.code)

    def cle(valeur):
        return (valeur is None, valeur or 0)

    return Rapport(
        version=version,
        par_objectif=sorted(par_objectif.items(), key=lambda kv: cle(kv[0])),
        par_enjeu=sorted(par_enjeu.items(), key=lambda kv: cle(kv[0])),
        par_pilier=sorted(par_pilier.items(), key=lambda kv: cle(kv[0])),
        sorts=sorts,
        comptes=comptes,
        ecarts=ecarts,
        sections_vides=[
            (f, [Fiche._meta.get_field(n).verbose_name for n in f.sections_vides()])
            for f in fiches
            if f.sections_vides()
        ],
        anomalies_enregistrees=list(
            Anomalie.objects.annotate(nb_fiches=Count("fiches")).order_by("categorie", "code")
        ),
    )
