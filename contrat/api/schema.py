"""The OpenAPI description: the query parameters a view declares itself, and
the errors every operation may answer, in the API's one error format."""

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.openapi import AutoSchema


def ouverte_sans_connexion(vue, methode):
    """Whether an anonymous caller passes the permissions of ``vue`` (set up
    by drf-spectacular for one operation) for ``methode``: asked of the
    permission classes themselves, so the documentation follows the code."""
    anonyme = SimpleNamespace(method=methode, user=AnonymousUser(), auth=None)
    try:
        return all(p.has_permission(anonyme, vue) for p in vue.get_permissions())
    except Exception:  # a permission that needs a real request: not open
        return False


class SchemaApi(AutoSchema):
    """Documents ``parametres_requete``, the query parameters a view reads
    itself (the same list the API checks requests against), and which
    operations need no login."""

    def get_override_parameters(self):
        return [*getattr(self.view, "parametres_requete", ()), *super().get_override_parameters()]

    def get_auth(self):
        # An operation anyone may call says so with an empty requirement list
        # (OpenAPI: no security), so Swagger UI shows no lock on the open
        # data; a login still shows more (a partner's drafts), which the
        # description of the API says. The others keep their schemes, without
        # the optional "{}" drf-spectacular adds to reads.
        if ouverte_sans_connexion(self.view, self.method):
            return []
        return [exigence for exigence in super().get_auth() if exigence]

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None and "security" not in operation:
            # Explicit: no login needed (not "inherit the document's default").
            operation["security"] = []
        return operation


ERREUR = {
    "type": "object",
    "required": ["erreur"],
    "properties": {
        "erreur": {
            "type": "object",
            "required": ["code", "statut", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "statut": {"type": "integer"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}

REFERENCE_ERREUR = {"$ref": "#/components/schemas/ErreurApi"}

COMMUNES = {
    "400": "Paramètres invalides (filtre, page, format)",
    "401": "Authentification requise",
    "403": "Accès refusé",
    "404": "Ressource introuvable ou non visible",
    "405": "Méthode non permise",
    "406": "Format non disponible",
    "414": "Adresse trop longue (refusée par le serveur HTTP, réponse HTML)",
    "429": "Trop de requêtes",
    "503": "Base de données momentanément indisponible (Retry-After)",
}


# A NUL character is refused in the path and any query parameter (400, see
# contrat.securite.CaractereNulMiddleware): the schema says so.
SANS_NUL = "^[^\\x00]*$"


def erreurs_communes(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["ErreurApi"] = ERREUR
    reference = REFERENCE_ERREUR
    for chemin in result.get("paths", {}).values():
        for methode, operation in chemin.items():
            for parametre in operation.get("parameters", ()):
                schema = parametre.get("schema", {})
                if (
                    parametre.get("in") in {"query", "path"}
                    and schema.get("type") == "string"
                    and not {"enum", "pattern", "format"} & set(schema)
                ):
                    schema["pattern"] = SANS_NUL
            reponses = operation.setdefault("responses", {})
            # Every GET that takes ?format= also answers in CSV (?format=csv);
            # the data package is JSON only.
            formats = any(p.get("name") == "format" for p in operation.get("parameters", ()))
            if methode == "get" and "200" in reponses and formats:
                reponses["200"].setdefault("content", {})["text/csv"] = {
                    "schema": {"type": "string"}
                }
            for statut, description in COMMUNES.items():
                contenu = (
                    {"text/html": {"schema": {"type": "string"}}}
                    if statut == "414"
                    else {"application/json": {"schema": reference}}
                )
                reponses.setdefault(statut, {"description": description, "content": contenu})
    return result
