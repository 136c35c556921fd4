from django.db.models import CharField, Prefetch, Value
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from contrat.api.base import LectureViewSet
from contrat.api.export import BOOLEEN, DATEHEURE, NOMBRE, Colonne
from contrat.api.filtres import TriStrict
from contrat.api.schema import REFERENCE_ERREUR
from contrat.erreurs import Invalide, PermissionRefusee
from contrat.models import Organisation, Quartier, organisation_de
from engagements.api.serializers import (
    CampagneSerializer,
    CibleSerializer,
    EngagementSerializer,
    StatuerSerializer,
    SuiviActionSerializer,
    SuiviEcritureSerializer,
    SuiviModificationSerializer,
    ValeurEcritureSerializer,
    ValeurModificationSerializer,
    ValeurSerializer,
    VersionSerializer,
)
from engagements.filtersets import (
    CibleFilterSet,
    EngagementFilterSet,
    SuiviActionFilterSet,
    ValeurFilterSet,
)
from engagements.models import Campagne, Cible, Engagement, SuiviAction, Valeur
from engagements.services import (
    VALIDATION_RESERVEE,
    cle,
    grille_enregistrer,
    peut_valider,
    valeurs_statuer,
)
from engagements.services_suivis import (
    responsables,
    suivi_enregistrer,
    suivi_soumettre,
    suivis_statuer,
)
from fiches.models import Fiche, Indicateur

# The API's one error format, declared once (contrat/api/schema.py).
ERREUR = REFERENCE_ERREUR

AUCUN_CHANGEMENT = "Saisie vide : la valeur est effacée (ou il n'y en avait pas)"
REPONSES_ECRITURE = {
    400: OpenApiResponse(
        ERREUR, description="Données invalides (nombre illisible, unité, note manquante...)"
    ),
    401: OpenApiResponse(ERREUR, description="Authentification requise"),
    403: OpenApiResponse(ERREUR, description="Indicateur d'une autre organisation"),
    404: OpenApiResponse(ERREUR, description="Valeur introuvable ou non visible"),
    409: OpenApiResponse(
        ERREUR,
        description="Conflit : la valeur a changé depuis la version lue ; `details.actuelle` donne la valeur actuelle",
    ),
    423: OpenApiResponse(ERREUR, description="Campagne fermée : valeurs verrouillées"),
}


class EngagementViewSet(LectureViewSet):
    """Les engagements des partenaires (annexe 1), avec leurs cibles et chiffres."""

    queryset = Engagement.objects.select_related("objectif").prefetch_related(
        "enjeux",
        "axes",
        "organisations",
        Prefetch("cibles", queryset=Cible.objects.select_related("indicateur")),
    )
    serializer_class = EngagementSerializer
    lookup_field = "ordre"
    filterset_class = EngagementFilterSet


class CibleViewSet(LectureViewSet):
    """Chaque chiffre d'un engagement : cible à atteindre ou constat, avec sa phrase."""

    queryset = Cible.objects.select_related("engagement", "indicateur")
    serializer_class = CibleSerializer
    filterset_class = CibleFilterSet


class CampagneViewSet(LectureViewSet):
    """Les campagnes de saisie (une par année)."""

    queryset = Campagne.objects.all()
    serializer_class = CampagneSerializer
    lookup_field = "annee"


@extend_schema(tags=["valeurs"])
class ValeurViewSet(LectureViewSet):
    """Les valeurs des indicateurs, une ligne par fait (format long).

    Sans connexion : les valeurs validées (données ouvertes). Un partenaire
    voit en plus les brouillons et valeurs soumises de son organisation ;
    l'équipe voit tout. L'écriture passe par les mêmes règles que les
    formulaires (nombres, unités, verrous, versions)."""

    # Writes call the services and return their result: a refusal is a domain
    # error (contrat.erreurs) that the API's exception handler answers.

    serializer_class = ValeurSerializer
    filterset_class = ValeurFilterSet
    filter_backends = [*LectureViewSet.filter_backends, TriStrict]
    ordering_fields = ["annee", "valeur", "saisie_le", "id"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    # The list's columns, read as plain tuples for its JSON pages and written
    # by PostgreSQL for its CSV (contrat/api/export.py): the serializer's
    # fields, in its order (tests compare the two outputs byte for byte).
    colonnes = [
        Colonne("id", "id", NOMBRE),
        Colonne("indicateur", "indicateur__code"),
        Colonne("lu_pour", "lu_pour"),
        Colonne("indicateur_libelle", "indicateur__libelle"),
        Colonne("type_indicateur", "indicateur__type"),
        Colonne("fiche", "indicateur__fiche__numero"),
        Colonne("objectif", "indicateur__fiche__objectif__numero", NOMBRE),
        Colonne("organisation", "indicateur__organisation__slug"),
        Colonne("organisation_nom", "indicateur__organisation__nom"),
        Colonne("annee", "annee", NOMBRE),
        Colonne("quartier", "quartier__slug"),
        Colonne("quartier_nom", "quartier__nom"),
        Colonne("sexe", "sexe"),
        Colonne("valeur", "valeur", NOMBRE),
        Colonne("unite", "indicateur__unite"),
        Colonne("statut", "statut"),
        Colonne("note", "note_visible"),
        Colonne("note_publique", "note_publique", BOOLEEN),
        Colonne("commentaire_validation", "commentaire_visible"),
        Colonne("version", "version", NOMBRE),
        Colonne("saisie_le", "saisie_le", DATEHEURE),
        Colonne("validee_le", "validee_le", DATEHEURE),
        Colonne("synthetique", "synthetique", BOOLEEN),
    ]

    def get_queryset(self):
        utilisateur = self.request.user
        return (
            Valeur.objects.visibles_par(utilisateur)
            .avec_textes_visibles(utilisateur)
            # Set by the indicator filter when a series member is asked for.
            .annotate(lu_pour=Value(None, output_field=CharField()))
            .select_related("indicateur__fiche__objectif", "indicateur__organisation", "quartier")
        )

    def _representation(self, valeur):
        # Read again through the caller's queryset: the note and comment as
        # the caller may read them (one more query, on a write only).
        return ValeurSerializer(self.get_queryset().get(pk=valeur.pk)).data

    def get_permissions(self):
        if self.action in {"create", "partial_update", "valider", "rejeter"}:
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(
        request=ValeurEcritureSerializer,
        responses={
            201: ValeurSerializer,
            200: ValeurSerializer,
            204: OpenApiResponse(description=AUCUN_CHANGEMENT),
            **REPONSES_ECRITURE,
        },
        examples=[
            OpenApiExample(
                "Nouvelle valeur, tous quartiers",
                value={"indicateur": "2019-1.1-1", "annee": 2021, "valeur": "1 234", "version": 0},
                request_only=True,
            ),
            OpenApiExample(
                "Valeur soumise à la validation, avec une note",
                value={
                    "indicateur": "2019-1.1-2",
                    "annee": 2021,
                    "valeur": "12",
                    "note": "Chiffre du bilan annuel.",
                    "version": 0,
                    "soumettre": True,
                },
                request_only=True,
            ),
        ],
    )
    def create(self, request, *args, **kwargs):
        """Saisir une valeur (ou la remplacer en donnant la version lue)."""
        donnees = ValeurEcritureSerializer(data=request.data)
        donnees.is_valid(raise_exception=True)
        d = donnees.validated_data
        indicateur = (
            Indicateur.objects.filter(code=d["indicateur"]).select_related("organisation").first()
        )
        if indicateur is None:
            raise Invalide(
                "Indicateur inconnu.",
                details={"indicateur": [f"« {d['indicateur']} » n'existe pas."]},
            )
        quartier = None
        if d["quartier"]:
            quartier = Quartier.objects.filter(slug=d["quartier"]).first()
            if quartier is None:
                raise Invalide(
                    "Quartier inconnu.",
                    details={"quartier": [f"« {d['quartier']} » n'existe pas."]},
                )
        existait = Valeur.objects.filter(
            indicateur=indicateur, annee=d["annee"], quartier=quartier, sexe=d["sexe"]
        ).exists()
        resultat = grille_enregistrer(
            utilisateur=request.user,
            indicateur=indicateur,
            annee=d["annee"],
            saisies={cle(quartier, d["sexe"]): (d["valeur"], d["version"])},
            note=d["note"],
            note_publique=d["note_publique"],
            soumettre=d["soumettre"],
        )
        if not resultat:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self._representation(resultat[0]), status=200 if existait else 201)

    @extend_schema(
        request=ValeurModificationSerializer,
        responses={
            200: ValeurSerializer,
            204: OpenApiResponse(description=AUCUN_CHANGEMENT),
            **REPONSES_ECRITURE,
        },
    )
    def partial_update(self, request, *args, **kwargs):
        """Modifier une valeur : envoyer la version lue ; une version dépassée donne 409."""
        valeur = self.get_object()
        donnees = ValeurModificationSerializer(data=request.data)
        donnees.is_valid(raise_exception=True)
        d = donnees.validated_data
        resultat = grille_enregistrer(
            utilisateur=request.user,
            indicateur=valeur.indicateur,
            annee=valeur.annee,
            saisies={cle(valeur.quartier, valeur.sexe): (d["valeur"], d["version"])},
            note=d["note"],
            note_publique=d["note_publique"],
            soumettre=d["soumettre"],
        )
        if not resultat:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self._representation(resultat[0]))

    def _statuer(self, request, valider):
        valeur = self.get_object()
        if not peut_valider(request.user):
            # Refused before the body is read: a partner gets 403 whatever it sends.
            raise PermissionRefusee(VALIDATION_RESERVEE)
        donnees = StatuerSerializer(data=request.data)
        donnees.is_valid(raise_exception=True)
        resultat = valeurs_statuer(
            utilisateur=request.user,
            valeurs=[(valeur, donnees.validated_data["version"])],
            valider=valider,
            commentaire=donnees.validated_data["commentaire"],
        )
        return Response(self._representation(resultat[0]))

    @extend_schema(
        request=StatuerSerializer, responses={200: ValeurSerializer, **REPONSES_ECRITURE}
    )
    @action(detail=True, methods=["post"])
    def valider(self, request, pk=None):
        """Valider une valeur soumise (équipe politique de la ville)."""
        return self._statuer(request, True)

    @extend_schema(
        request=StatuerSerializer, responses={200: ValeurSerializer, **REPONSES_ECRITURE}
    )
    @action(detail=True, methods=["post"])
    def rejeter(self, request, pk=None):
        """Rejeter une valeur soumise, avec un commentaire (équipe)."""
        return self._statuer(request, False)


REPONSES_SUIVI = {
    400: OpenApiResponse(ERREUR, description="Données invalides (statut, pourcentage, budget...)"),
    401: OpenApiResponse(ERREUR, description="Authentification requise"),
    403: OpenApiResponse(ERREUR, description="Action d'une autre organisation"),
    404: OpenApiResponse(ERREUR, description="Suivi introuvable ou non visible"),
    409: OpenApiResponse(
        ERREUR,
        description="Conflit : le suivi a changé depuis la version lue ; `details.actuelle` le donne",
    ),
    423: OpenApiResponse(ERREUR, description="Campagne fermée : suivis verrouillés"),
}


@extend_schema(tags=["suivis"])
class SuiviActionViewSet(LectureViewSet):
    """Le suivi des actions par campagne : une fiche (par pilote) ou un engagement,
    avec statut d'avancement, réalisations, suite, jalons, budget et pièces.

    Sans connexion : les suivis validés (données ouvertes), avec leurs lignes de
    budget ; jamais les pièces justificatives. L'organisation responsable voit en
    plus ses brouillons et suivis soumis, avec leurs pièces ; l'équipe voit tout."""

    serializer_class = SuiviActionSerializer
    filterset_class = SuiviActionFilterSet
    filter_backends = [*LectureViewSet.filter_backends, TriStrict]
    ordering_fields = ["annee", "saisi_le", "id"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            SuiviAction.objects.visibles_par(self.request.user)
            .select_related("fiche", "engagement", "organisation")
            .prefetch_related(
                "jalons", "lignes_budget__financeur", "pieces", "engagement__organisations"
            )
        )

    def get_serializer_context(self):
        contexte = super().get_serializer_context()
        # Budget lines of a draft and proofs: only for the record's organisation and staff.
        contexte["complet"] = responsables(self.request.user)
        return contexte

    def get_permissions(self):
        if self.action in {"create", "partial_update", "soumettre", "valider", "rejeter"}:
            return [IsAuthenticated()]
        return super().get_permissions()

    def _reponse(self, suivi, statut=200):
        suivi = self.get_queryset().get(pk=suivi.pk)
        return Response(
            SuiviActionSerializer(suivi, context=self.get_serializer_context()).data, status=statut
        )

    @extend_schema(
        request=SuiviEcritureSerializer,
        responses={201: SuiviActionSerializer, 200: SuiviActionSerializer, **REPONSES_SUIVI},
        examples=[
            OpenApiExample(
                "Suivi d'un engagement, soumis",
                value={
                    "annee": 2021,
                    "engagement": 90,
                    "avancement": "en_cours",
                    "avancement_pct": 40,
                    "realise": "Deux permanences ouvertes.",
                    "a_venir": "Une troisième en 2022.",
                    "jalons": [{"libelle": "Ouverture", "date_prevue": "2021-03-01"}],
                    "lignes_budget": [
                        {
                            "financeur": "caf-herault",
                            "nature": "droit_commun",
                            "montant_prevu": "12 000",
                            "montant_depense": "9 500",
                        }
                    ],
                    "version": 0,
                    "soumettre": True,
                },
                request_only=True,
            ),
        ],
    )
    def create(self, request, *args, **kwargs):
        """Saisir le suivi d'une fiche (pour un de ses pilotes) ou d'un engagement (ou le
        remplacer en donnant la version lue)."""
        donnees = SuiviEcritureSerializer(data=request.data)
        donnees.is_valid(raise_exception=True)
        d = donnees.validated_data
        fiche = engagement = organisation = None
        if d["fiche"]:
            fiche = Fiche.objects.en_vigueur().filter(numero=d["fiche"]).first()
            if fiche is None:
                raise Invalide(
                    "Fiche inconnue.", details={"fiche": [f"« {d['fiche']} » n'existe pas."]}
                )
        if d["engagement"] is not None:
            engagement = Engagement.objects.filter(ordre=d["engagement"]).first()
            if engagement is None:
                raise Invalide(
                    "Engagement inconnu.",
                    details={"engagement": [f"« {d['engagement']} » n'existe pas."]},
                )
        if d["organisation"]:
            organisation = Organisation.objects.filter(slug=d["organisation"]).first()
            if organisation is None:
                raise Invalide(
                    "Organisation inconnue.",
                    details={"organisation": [f"« {d['organisation']} » n'existe pas."]},
                )
        elif fiche is not None and not request.user.is_staff:
            # A partner's own pilot organisation, when it does not say.
            organisation = organisation_de(request.user)
        suivi = suivi_enregistrer(
            utilisateur=request.user,
            annee=d["annee"],
            version=d["version"],
            fiche=fiche,
            engagement=engagement,
            organisation=organisation,
            **_contenu(d),
        )
        return self._reponse(suivi, 201 if suivi.version == 1 else 200)

    @extend_schema(
        request=SuiviModificationSerializer,
        responses={200: SuiviActionSerializer, **REPONSES_SUIVI},
    )
    def partial_update(self, request, *args, **kwargs):
        """Modifier un suivi : envoyer la version lue ; une version dépassée donne 409."""
        suivi = self.get_object()
        donnees = SuiviModificationSerializer(data=request.data)
        donnees.is_valid(raise_exception=True)
        d = donnees.validated_data
        suivi = suivi_enregistrer(
            utilisateur=request.user,
            annee=suivi.annee,
            version=d["version"],
            fiche=suivi.fiche,
            engagement=suivi.engagement,
            organisation=suivi.organisation,
            **_contenu(d),
        )
        return self._reponse(suivi)

    @extend_schema(
        request=VersionSerializer, responses={200: SuiviActionSerializer, **REPONSES_SUIVI}
    )
    @action(detail=True, methods=["post"])
    def soumettre(self, request, pk=None):
        """Soumettre un suivi à la validation (organisation responsable)."""
        suivi = self.get_object()
        donnees = VersionSerializer(data=request.data)
        donnees.is_valid(raise_exception=True)
        suivi = suivi_soumettre(
            utilisateur=request.user, suivi=suivi, version=donnees.validated_data["version"]
        )
        return self._reponse(suivi)

    def _statuer(self, request, valider):
        suivi = self.get_object()
        if not peut_valider(request.user):
            # Refused before the body is read: a partner gets 403 whatever it sends.
            raise PermissionRefusee(VALIDATION_RESERVEE)
        donnees = StatuerSerializer(data=request.data)
        donnees.is_valid(raise_exception=True)
        [suivi] = suivis_statuer(
            utilisateur=request.user,
            suivis=[(suivi, donnees.validated_data["version"])],
            valider=valider,
            commentaire=donnees.validated_data["commentaire"],
        )
        return self._reponse(suivi)

    @extend_schema(
        request=StatuerSerializer, responses={200: SuiviActionSerializer, **REPONSES_SUIVI}
    )
    @action(detail=True, methods=["post"])
    def valider(self, request, pk=None):
        """Valider un suivi soumis (équipe politique de la ville)."""
        return self._statuer(request, True)

    @extend_schema(
        request=StatuerSerializer, responses={200: SuiviActionSerializer, **REPONSES_SUIVI}
    )
    @action(detail=True, methods=["post"])
    def rejeter(self, request, pk=None):
        """Rejeter un suivi soumis, avec un commentaire (équipe)."""
        return self._statuer(request, False)


def _contenu(d):
    """The record's content from a validated body, for the service."""
    return {
        "avancement": d["avancement"],
        "avancement_pct": d["avancement_pct"],
        "realise": d["realise"],
        "a_venir": d["a_venir"],
        "jalons": d.get("jalons"),
        "lignes_budget": d.get("lignes_budget"),
        "soumettre": d["soumettre"],
    }
