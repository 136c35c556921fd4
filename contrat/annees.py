"""The years the plan's data may be about: from the contract's first year
(2015) to 2030, which leaves room past the contract's end (2022) for a
prolongation to be followed without a migration. One definition, read by the
database constraints, the forms, the API and the annual report.

Changing these bounds changes the ``*_annee_du_contrat`` check constraints:
``makemigrations`` then writes the migration that moves them.
"""

from django.db.models import Q

ANNEE_MIN = 2015
ANNEE_MAX = 2030
ANNEES = range(ANNEE_MIN, ANNEE_MAX + 1)


def est_annee_du_contrat(annee):
    """Whether ``annee`` (any value) is an integer year the data may be about."""
    return isinstance(annee, int) and not isinstance(annee, bool) and annee in ANNEES


def condition_annee(champ="annee"):
    """The condition of a ``CheckConstraint`` that keeps ``champ`` within the years."""
    return Q(**{f"{champ}__gte": ANNEE_MIN, f"{champ}__lte": ANNEE_MAX})
