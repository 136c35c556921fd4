"""Account pages: staff invite partners' users; anyone resets a forgotten
password by e-mail; an invited user chooses a password. French templates in
``templates/registration/``."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from contrat.acces import equipe_requise
from contrat.invitations import invitation_creer, invitation_renvoyer, jetons_invitation
from contrat.models import Membre, Organisation


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique", max_length=150)
    prenom = forms.CharField(label="Prénom", max_length=150)
    nom = forms.CharField(label="Nom", max_length=150)
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.order_by("nom"),
        to_field_name="slug",
        empty_label="— choisir —",
    )


def _base(request):
    return request.build_absolute_uri("/")


@equipe_requise
def invitations(request):
    """Invite a partner's user; the accounts still waiting to choose a password."""
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                utilisateur = invitation_creer(
                    auteur=request.user, base=_base(request), **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            except OSError:
                form.add_error(
                    None,
                    "Le courriel d'invitation n'a pas pu être envoyé (serveur de messagerie "
                    "injoignable) : aucun compte n'a été créé. Réessayez plus tard.",
                )
            else:
                # The name alone: the organisation's label ends with its
                # acronym in brackets, which the message's brackets doubled.
                messages.success(
                    request,
                    f"Invitation envoyée à {utilisateur.email} "
                    f"({form.cleaned_data['organisation'].nom}).",
                )
                return redirect("comptes:invitations")
    en_attente = (
        get_user_model()
        .objects.filter(is_active=True, password__startswith="!")
        .filter(Exists(Membre.objects.filter(utilisateur=OuterRef("pk"))))
        .select_related("membre__organisation")
        .order_by("-date_joined")[:200]
    )
    return render(
        request,
        "registration/invitations.html",
        {"form": form, "en_attente": en_attente, "duree": settings.INVITATION_DUREE_JOURS},
        status=400 if form.errors else 200,
    )


@equipe_requise
@require_POST
def renvoyer(request, pk):
    utilisateur = get_object_or_404(get_user_model(), pk=pk, membre__isnull=False)
    try:
        invitation_renvoyer(auteur=request.user, utilisateur=utilisateur, base=_base(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except OSError:
        messages.error(request, "Le courriel n'a pas pu être envoyé : réessayez plus tard.")
    else:
        messages.success(request, f"Invitation renvoyée à {utilisateur.email}.")
    return redirect("comptes:invitations")


class Activer(auth_views.PasswordResetConfirmView):
    """The invitation's link: choose a password, then log in."""

    token_generator = jetons_invitation
    template_name = "registration/invitation_activer.html"
    success_url = reverse_lazy("connexion")

    def form_valid(self, form):
        reponse = super().form_valid(form)
        messages.success(
            self.request,
            f"Mot de passe enregistré : connectez-vous avec l'identifiant {form.user.get_username()}.",
        )
        return reponse


mot_de_passe_oubli = auth_views.PasswordResetView.as_view(
    template_name="registration/mot_de_passe_oubli.html",
    email_template_name="registration/mot_de_passe_courriel.txt",
    html_email_template_name="registration/mot_de_passe_courriel.html",
    subject_template_name="registration/mot_de_passe_sujet.txt",
    success_url=reverse_lazy("comptes:mot_de_passe_envoye"),
)
mot_de_passe_envoye = auth_views.PasswordResetDoneView.as_view(
    template_name="registration/mot_de_passe_envoye.html"
)
mot_de_passe_nouveau = auth_views.PasswordResetConfirmView.as_view(
    template_name="registration/mot_de_passe_nouveau.html",
    success_url=reverse_lazy("comptes:mot_de_passe_change"),
)
mot_de_passe_change = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/mot_de_passe_change.html"
)
