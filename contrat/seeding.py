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
    kept_rows: list = field(default_factory=list)
    files: list = field(default_factory=list)

    @property
    def models(self):
        keys = set(self.created) | set(self.unchanged) | set(self.kept) | set(self.reset)
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


def _m2m_differences(deserialized, current):
    changed = []
    for name, values in (deserialized.m2m_data or {}).items():
        wanted = {int(v) for v in values}
        have = set(getattr(current, name).values_list("pk", flat=True))
        if wanted != have:
            changed.append(name)
    return changed


def _save(deserialized):
    # A plain save() (not the deserializer's raw save) so that models compute
    # their derived fields (e.g. an alias's normalised key).
    instance = deserialized.object
    instance.save()
    for name, values in (deserialized.m2m_data or {}).items():
        getattr(instance, name).set(values)


def seed(*, reset=False, files=None):
    report = SeedReport()
    files = fixture_files() if files is None else files
    with auteur(None, "seed : chargement des données de l'avenant"), transaction.atomic():
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
