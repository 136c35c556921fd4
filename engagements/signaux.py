"""Signals the services send once their transaction has committed.

Upper apps (``notifications``) listen to them: engagements imports no app
above it, and a rolled-back write announces nothing. Any new service that
rejects values or opens a campaign sends the same signal, through
:func:`annoncer`, so that every caller (forms, admin, API) notifies."""

from django.db import transaction
from django.dispatch import Signal

# kwargs: valeurs (ids of the rejected Valeur rows), commentaire, auteur (user id)
valeurs_rejetees = Signal()
# kwargs: campagne (the Campagne's id)
campagne_ouverte = Signal()


def annoncer(signal, **kwargs):
    """Send ``signal`` after the current transaction commits (at once outside
    one). ``robust``: a listener's failure (a mail server down) is logged and
    never turns a committed write into an error page."""
    transaction.on_commit(lambda: signal.send(sender=None, **kwargs), robust=True)
