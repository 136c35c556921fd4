from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from notifications import services
from notifications.forms import PreferencesForm
from notifications.models import Notification, Preferences

PAR_PAGE = 50


@login_required
def liste(request):
    """The user's notifications, newest first; only theirs."""
    page = Paginator(Notification.objects.filter(destinataire=request.user), PAR_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/liste.html", {"page": page})


@login_required
@require_POST
def lire(request, pk):
    # Another user's notification does not exist for this one: 404.
    notification = get_object_or_404(Notification, pk=pk, destinataire=request.user)
    services.notification_lire(utilisateur=request.user, notification=notification)
    if notification.lien and request.POST.get("ouvrir"):
        return redirect(notification.lien)
    return redirect("notifications:liste")


@login_required
@require_POST
def tout_lire(request):
    nb = services.notifications_tout_lire(utilisateur=request.user)
    messages.success(
        request,
        f"{nb} notification{'s' if nb > 1 else ''} marquée{'s' if nb > 1 else ''} comme lue{'s' if nb > 1 else ''}.",
    )
    return redirect("notifications:liste")


@login_required
def preferences(request):
    actuelles = Preferences.objects.filter(utilisateur=request.user).first() or Preferences(
        utilisateur=request.user
    )
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            services.preferences_enregistrer(utilisateur=request.user, **form.cleaned_data)
            messages.success(request, "Vos préférences sont enregistrées.")
            return redirect("notifications:preferences")
        return render(request, "notifications/preferences.html", {"form": form}, status=400)
    form = PreferencesForm(
        initial={
            "campagnes": actuelles.campagnes,
            "rejets": actuelles.rejets,
            "synthese": actuelles.synthese,
        }
    )
    return render(request, "notifications/preferences.html", {"form": form})
