"""The one write of the read side: the staff's comments printed in the annual
report (the admin calls it). Everything else here only reads."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from contrat.historique import auteur


def commentaire_enregistrer(*, utilisateur, commentaire):
    """Validate and save a ``CommentaireObjectif`` (new or edited) written by
    staff; raises ``ValidationError`` (French messages) and saves nothing on
    bad input."""
    if not (utilisateur.is_authenticated and utilisateur.is_staff):
        raise PermissionDenied("Seule l'équipe politique de la ville rédige le rapport.")
    with transaction.atomic(), auteur(utilisateur, "rapport annuel"):
        commentaire.full_clean()
        commentaire.save()
    return commentaire
