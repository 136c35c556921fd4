"""Load the avenant's fixtures into the database, idempotently.

Each fixture object is matched to an existing row through its natural key:

- no row yet: the row is created;
- a row identical to the fixture: nothing happens;
- a row that differs (staff edited it in the admin since): it is **kept as
  staff left it** and reported, unless ``reset=True``, which puts the text of
  the avenant back.

Rows that staff added are never touched; rows of the avenant that staff
deleted are created again (the avenant is the reference).
Everything runs in one transaction: a broken fixture changes nothing.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.db import transaction

from contrat.historique import auteur

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
LOCAL_APPS = ["contrat", "fiches", "engagements", "gouvernance"]


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    reset: Counter = field(default_factory=Counter)
    # Rows whose new fields (SEED_REMPLIR_SI_VIDE) were empty and are now filled.
    filled: Counter = field(default_factory=Counter)
    kept_rows: list = field(default_factory=list)
    files: list = field(default_factory=list)
    # What the apps' take-over steps did to rows of earlier fixtures (one sentence each).
    reprises: list = field(default_factory=list)

    @property
    def models(self):
        keys = (
            set(self.created)
            | set(self.unchanged)
            | set(self.kept)
            | set(self.reset)
            | set(self.filled)
        )
        return sorted(keys)


def fixture_files():
    """Every fixture of every local app, apps in dependency order, files by name."""
    files = []
    for app_label in LOCAL_APPS:
        app_dir = FIXTURES_DIR / app_label
        if app_dir.is_dir():
            files.extend(sorted(app_dir.glob("*.json")))
    return files


def _differences(instance, current):
    """Names of the editable fields where ``instance`` (from a fixture) and
    ``current`` (in the database) differ."""
    changed = []
    for model_field in instance._meta.concrete_fields:
        if model_field.primary_key or not model_field.editable:
            continue
        if model_field.value_from_object(instance) != model_field.value_from_object(current):
            changed.append(model_field.name)
    return changed


def _hors_liste(instance, name):
    """Primary keys of the rows related through ``name`` that the fixture's
    m2m list does not stand for.

    A link model of its own may hold links that come from their own fixture
    rows (a fiche's deduced quartiers, with their justification): it names
    them with ``HORS_LISTE_M2M`` (a filter). The list neither counts them as a
    difference nor removes them."""
    field = instance._meta.get_field(name)
    through = field.remote_field.through
    filtre = getattr(through, "HORS_LISTE_M2M", None)
    if not filtre or instance.pk is None:
        return set()
    return set(
        through._default_manager.filter(
            **{field.m2m_field_name(): instance.pk}, **filtre
        ).values_list(f"{field.m2m_reverse_field_name()}_id", flat=True)
    )


def _m2m_differences(deserialized, current):
    changed = []
    for name, values in (deserialized.m2m_data or {}).items():
        wanted = {int(v) for v in values}
        have = set(getattr(current, name).values_list("pk", flat=True))
        if wanted != have - _hors_liste(current, name):
            changed.append(name)
    return changed


def _save(deserialized):
    # A plain save() (not the deserializer's raw save) so that models compute
    # their derived fields (e.g. an alias's normalised key).
    instance = deserialized.object
    instance.save()
    for name, values in (deserialized.m2m_data or {}).items():
        getattr(instance, name).set([*values, *_hors_liste(instance, name)])


def _remplir_si_vides(instance, current, changed):
    """Fill, on ``current``, the fields a later version of the fixtures added
    (the model lists them in ``SEED_REMPLIR_SI_VIDE``) that the database holds
    empty: a row seeded before the field existed is not a staff edit. Returns
    the names filled."""
    nouveaux = getattr(type(instance), "SEED_REMPLIR_SI_VIDE", ())
    noms = [n for n in changed if n in nouveaux and getattr(current, n) in ("", None)]
    if noms:
        for nom in noms:
            setattr(current, nom, getattr(instance, nom))
        current.save(update_fields=noms)
    return noms


def _reprendre(report, reset):
    """Let each app bring rows seeded by an earlier version of its fixtures
    to the current one, where a key changed meaning (an indicator split in
    several): its AppConfig's ``reprendre_avant_seed(report=, reset=)``,
    called before any fixture is read, in the same transaction."""
    for app_label in LOCAL_APPS:
        reprendre = getattr(apps.get_app_config(app_label), "reprendre_avant_seed", None)
        if reprendre is not None:
            reprendre(report=report, reset=reset)


def seed(*, reset=False, files=None):
    report = SeedReport()
    files = fixture_files() if files is None else files
    with auteur(None, "seed : chargement des données de l'avenant"), transaction.atomic():
        _reprendre(report, reset)
        for path in files:
            report.files.append(path)
            deferred = []
            with path.open(encoding="utf-8") as stream:
                objects = serializers.deserialize("json", stream, handle_forward_references=True)
                for deserialized in objects:
                    instance = deserialized.object
                    label = instance._meta.label_lower
                    if deserialized.deferred_fields:
                        deferred.append(deserialized)
                    if instance.pk is None:
                        _save(deserialized)
                        report.created[label] += 1
                        continue
                    current = type(instance)._default_manager.get(pk=instance.pk)
                    changed = _differences(instance, current) + _m2m_differences(
                        deserialized, current
                    )
                    if not reset and (remplis := _remplir_si_vides(instance, current, changed)):
                        report.filled[label] += 1
                        changed = [n for n in changed if n not in remplis]
                        if not changed:
                            continue
                    if not changed:
                        report.unchanged[label] += 1
                    elif reset:
                        _save(deserialized)
                        report.reset[label] += 1
                    else:
                        report.kept[label] += 1
                        report.kept_rows.append((label, str(current), changed))
            for deserialized in deferred:
                deserialized.save_deferred_fields()
    return report


def model_verbose_name(label):
    return apps.get_model(label)._meta.verbose_name_plural
