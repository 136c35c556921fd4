"""Settings for the Contrat de ville application.

Everything that differs between machines comes from the environment:

- ``DATABASE_URL``  postgres://user:password@host:port/dbname (PostgreSQL only);
  ``make run`` / ``make test`` set it through ``scripts/with-db`` when unset.
- ``DJANGO_MODE``   ``development`` (default) or ``production``.
- ``SECRET_KEY``    required in production.
- ``DEBUG``         defaults to on in development, always off in production.
- ``ALLOWED_HOSTS`` comma-separated; defaults to localhost in development.
"""

import os
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.getenv(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name, default):
    value = os.getenv(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(url):
    """Turn a postgres:// URL into a Django DATABASES entry.

    Only PostgreSQL is accepted: the constraints, full-text search and
    aggregates of the app rely on it, and tests must run on what production runs.
    """
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL must be a postgres:// URL (got scheme {parsed.scheme!r})."
        )
    options = {}
    for part in filter(None, parsed.query.split("&")):
        key, _, value = part.partition("=")
        options[key] = unquote(value)
    host = unquote(parsed.hostname or "")
    # A unix socket directory may be passed as ?host=/path, as libpq does.
    host = options.pop("host", host)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "contrat_ville",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": host,
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": int(os.getenv("CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
        "TEST": {"NAME": os.getenv("TEST_DATABASE_NAME") or None},
    }


MODE = os.getenv("DJANGO_MODE", "development").strip().lower()
if MODE not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_MODE must be 'development' or 'production'.")
PRODUCTION = MODE == "production"

if PRODUCTION:
    SECRET_KEY = os.getenv("SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "In production, SECRET_KEY must be set to a random string of at least 50 characters."
        )
    DEBUG = False
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("In production, ALLOWED_HOSTS must be set.")
else:
    # Development only: this key signs nothing that outlives a local session.
    SECRET_KEY = os.getenv(
        "SECRET_KEY", "dev-only-not-secret-contrat-de-ville-montpellier-2015-2022"
    )
    DEBUG = env_bool("DEBUG", True)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # Local apps, in the order their fixtures are seeded.
    "contrat",
    "fiches",
    "engagements",
    "gouvernance",
    # The read side: dashboards, annual report, aggregates (seeds nothing).
    "tableaux",
    # E-mails and the in-app list: campaign reminders, rejections, digest.
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost of ours: any 500 under /api/ (already logged) becomes the JSON error.
    "contrat.api.intergiciel.Api500JsonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag on every GET: a dashboard polling an unchanged list gets 304.
    "django.middleware.http.ConditionalGetMiddleware",
    # Cache-Control and Vary by caller (below ConditionalGet: a 304 keeps them).
    "contrat.api.cache.EntetesCacheMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "contrat.historique.AuteurMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "contrat.api.intergiciel.Api404JsonMiddleware",
    # With DEBUG on, the app's own pages answer 404 and 403 with their French
    # pages too (not the technical ones); the admin and the API are left alone.
    "contrat.pages_erreur.PagesErreurMiddleware",
    "contrat.securite.EntetesSecuriteMiddleware",
    # Inside the security headers: a NUL in the path or query string is a 400.
    "contrat.securite.CaractereNulMiddleware",
    "contrat.securite.BaseIndisponibleMiddleware",
    # Last: turns a lockout into the French 429 page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses any login once a username+IP pair is locked out.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, refusing demo accounts in production.
    "contrat.comptes.ComptesBackend",
]
AXES_FAILURE_LIMIT = int(os.getenv("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.getenv("AXES_COOLOFF_HEURES", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "verrouillage.html"
AXES_VERBOSE = False

# Sessions end after 8 hours of work, and with the browser.
SESSION_COOKIE_AGE = int(os.getenv("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

if os.getenv("DATABASE_URL"):
    DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
else:
    # `make run` and `make test` always set DATABASE_URL (scripts/with-db).
    # This fallback only serves commands that never touch the database.
    DATABASES = {"default": database_from_url("postgres://postgres@127.0.0.1:5432/contrat_ville")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared caches: API answers and dashboard bodies ("default", versioned by
# the data generation: contrat/api/cache.py) and the rate-limit counters
# ("limites", contrat/limites.py). Shared by every worker of every server:
# Redis when REDIS_URL is set (as production should be), else two PostgreSQL
# tables that migration contrat/0008 creates, so `make run` needs nothing more.
REDIS_URL = os.getenv("REDIS_URL", "").strip()
API_CACHE_ENTREES = int(os.getenv("API_CACHE_ENTREES", "5000"))
if REDIS_URL:
    # One prefix per application sharing a Redis (and per test run).
    REDIS_PREFIXE = os.getenv("REDIS_PREFIXE", "contrat")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIXE,
        },
        "limites": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIXE + "-limites",
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "contrat_cache",
            "OPTIONS": {"MAX_ENTRIES": API_CACHE_ENTREES},
        },
        # Django's database cache with an atomic increment. A counter lives one
        # window; expired ones are deleted when the table passes MAX_ENTRIES.
        "limites": {
            "BACKEND": "contrat.limites.CacheBaseDeDonnees",
            "LOCATION": "contrat_cache_limites",
            "OPTIONS": {"MAX_ENTRIES": int(os.getenv("LIMITES_ENTREES", "50000"))},
        },
    }
# How long a shared cache (a proxy, a CDN) may keep an anonymous API answer:
# short, since the data behind it may change at any moment.
API_CACHE_PUBLIC_MAX_AGE = int(os.getenv("API_CACHE_PUBLIC_MAX_AGE", "60"))

# Status lights of the dashboards and the report (tableaux/feux.py): progress
# towards the year's target, in %, from which an indicator is "En bonne voie"
# or, below that, "À surveiller" (below both: "Hors trajectoire").
FEUX_SEUILS = {
    "bonne_voie": int(os.getenv("FEUX_SEUIL_BONNE_VOIE", "90")),
    "a_surveiller": int(os.getenv("FEUX_SEUIL_A_SURVEILLER", "60")),
}

# Request rates (contrat/limites.py), "<number>/<second|minute|hour|day>", per
# signed-in user or else per client address. Past a rate: 429 + Retry-After.
LIMITES_DEBIT = {
    # Every API request, anonymous (per address) or signed in (per user).
    "anonyme": os.getenv("LIMITE_ANONYME", "300/minute"),
    "connecte": os.getenv("LIMITE_CONNECTE", "1200/minute"),
    # Stricter: token creation (password guessing), grid imports (parsing a
    # file is the heaviest write), report PDFs (a browser renders each).
    "jeton": os.getenv("LIMITE_JETON", "10/minute"),
    "import": os.getenv("LIMITE_IMPORT", "60/hour"),
    "rapport_pdf": os.getenv("LIMITE_RAPPORT_PDF", "30/hour"),
}
for _portee, _debit in LIMITES_DEBIT.items():
    _nombre, _, _periode = _debit.partition("/")
    if not _nombre.strip().isdigit() or _periode.strip()[:1].lower() not in {"s", "m", "h", "d"}:
        raise ImproperlyConfigured(
            f"Rate {_debit!r} of {_portee!r}: expected '<number>/<second|minute|hour|day>'."
        )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", BASE_DIR / "media"))
# The anonymous CSV exports of the API, written once per data generation and
# filters (contrat/api/export.py); private (never served as static files).
# Files of older generations are removed when a newer one is written; at most
# EXPORTS_FICHIERS_MAX filter combinations are kept per generation.
EXPORTS_DIR = Path(os.getenv("EXPORTS_DIR", BASE_DIR / "exports"))
EXPORTS_FICHIERS_MAX = int(os.getenv("EXPORTS_FICHIERS_MAX", "50"))

# Uploads. Every file is counted while it streams in
# (contrat/televersement.py): past its limit, the rest is read and dropped, never
# kept, and the form says which limit was passed. Files above
# FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, not to memory.
IMPORT_TAILLE_MAX = int(os.getenv("IMPORT_TAILLE_MAX", str(2 * 1024 * 1024)))
DOCUMENT_TAILLE_MAX = int(os.getenv("DOCUMENT_TAILLE_MAX", str(20 * 1024 * 1024)))
FILE_UPLOAD_HANDLERS = [
    "contrat.televersement.LimiteTailleHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = int(os.getenv("FILE_UPLOAD_MAX_MEMORY_SIZE", str(1024 * 1024)))
# The fields of a request other than its files (forms, admin pages).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.getenv("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2560 * 1024)))
# A grid file (CSV or XLSX, engagements/echange.py): limits checked before
# parsing. An exported grid has at most 25 rows of 11 columns.
IMPORT_DECOMPRESSE_MAX = int(os.getenv("IMPORT_DECOMPRESSE_MAX", str(5 * 1024 * 1024)))
IMPORT_LIGNES_MAX = int(os.getenv("IMPORT_LIGNES_MAX", "1000"))
IMPORT_COLONNES_MAX = int(os.getenv("IMPORT_COLONNES_MAX", "50"))
IMPORT_CELLULE_MAX = int(os.getenv("IMPORT_CELLULE_MAX", "5000"))

LOGIN_URL = "connexion"
LOGIN_REDIRECT_URL = "saisie:mes_indicateurs"
LOGOUT_REDIRECT_URL = "accueil"

# E-mail (notifications, invitations, password resets). Production: SMTP,
# configured from the environment. Development: each message is written as a
# file into var/courriels/ (git-ignored), no outside service needed; the
# in-app list (/notifications/) shows them too.
EMAIL_BACKEND = os.getenv(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = Path(os.getenv("EMAIL_FILE_PATH", BASE_DIR / "var" / "courriels"))
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.getenv("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.getenv("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.getenv(
    "DEFAULT_FROM_EMAIL", "Contrat de ville <ne-pas-repondre@contrat-de-ville.invalid>"
)
SERVER_EMAIL = os.getenv("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# The address of the site in e-mails sent by the daily command (no request
# to read it from).
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000").strip()
# An invitation link is valid this many days; a password-reset link this many seconds.
INVITATION_DUREE_JOURS = int(os.getenv("INVITATION_DUREE_JOURS", "7"))
PASSWORD_RESET_TIMEOUT = int(os.getenv("PASSWORD_RESET_TIMEOUT", str(24 * 3600)))

REST_FRAMEWORK = {
    "DEFAULT_FILTER_BACKENDS": ["contrat.api.filtres.FiltresBackend"],
    "DEFAULT_PAGINATION_CLASS": "contrat.api.rendu.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "contrat.api.rendu.CSVRenderer",
    ],
    # Token first: an anonymous or wrongly authenticated call then answers
    # 401 with "WWW-Authenticate: Token" (session auth alone can only say 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "contrat.api.jetons.AuthentificationJeton",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Reads are open data (the plan, validated values); writes need a login
    # and are checked again by the service layer.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "EXCEPTION_HANDLER": "contrat.api.base.gestionnaire_erreurs",
    "DEFAULT_SCHEMA_CLASS": "contrat.api.schema.SchemaApi",
    "COERCE_DECIMAL_TO_STRING": False,
    # Rates in LIMITES_DEBIT (above); counters in the shared "limites" cache.
    "DEFAULT_THROTTLE_CLASSES": ["contrat.limites.LimiteAnonyme", "contrat.limites.LimiteConnecte"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "API du contrat de ville de Montpellier Méditerranée Métropole",
    "DESCRIPTION": (
        "Le plan (fiches, engagements, cadre), les indicateurs et leurs valeurs, en JSON "
        "(paginé : `count`, `next`, `previous`, `results`, `page_size` jusqu'à 1000) ou en "
        "CSV (`?format=csv`, toutes les lignes filtrées ; RFC 4180 : virgule, guillemets "
        "doubles, fins de ligne CRLF, UTF-8 sans BOM, une ligne d'en-tête), décrits par le "
        "paquet de données `/api/datapackage.json` (Frictionless : types, titres, "
        "licence). Sans connexion : le plan et les valeurs validées (données ouvertes) ; "
        "ces lectures n'ont pas de cadenas. Connecté, un partenaire lit aussi ses "
        "brouillons ; les écritures demandent une connexion par session ou par jeton "
        "(`POST /api/jeton/`, puis l'en-tête `Authorization: Token <jeton>`). Erreurs : "
        '`{"erreur": {"code", "statut", "message", "details"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # PATCH bodies keep their required fields: a value is changed by giving
    # the new text and the version read, never by a partial body.
    "COMPONENT_SPLIT_PATCH": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "contrat.api.schema.erreurs_communes",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StatutValeurEnum": "engagements.models.Valeur.Statut",
        "StatutCampagneEnum": "engagements.models.Campagne.Statut",
        "TypeOrganisationEnum": "contrat.models.Organisation.Type",
        "TypeIndicateurEnum": "fiches.models.Indicateur.Type",
        "SortEnum": "fiches.models.Evolution.Sort",
        "CategorieAnomalieEnum": "fiches.models.Anomalie.Categorie",
        "StatutAnomalieEnum": "fiches.models.Anomalie.Statut",
        "NatureCibleEnum": "engagements.models.Cible.Nature",
        "PartenaireEnum": "engagements.models.Engagement.Partenaire",
        "PorteeCibleEnum": "engagements.models.Cible.Portee",
        "PorteeGouvernanceEnum": "gouvernance.models.Portee",
        "TypeInstanceEnum": "gouvernance.models.Instance.Type",
        "TypeEvenementEnum": "gouvernance.models.Evenement.Type",
        "StatutEvenementEnum": "gouvernance.models.Evenement.Statut",
        "TypePointEnum": "gouvernance.models.PointEvenement.Type",
        "NatureMoyenEnum": "gouvernance.models.MoyenConseilCitoyen.Nature",
    },
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.getenv("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    if env_bool("BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Accounts and client addresses (issue 12, items 6-8). Demo accounts are
# refused in production by contrat.comptes.ComptesBackend above.
# The client's address behind NB_PROXIES_DE_CONFIANCE reverse proxies that
# each append to X-Forwarded-For (0: REMOTE_ADDR, nothing trusted). Login
# lockouts are keyed on username + this address (AXES_LOCKOUT_PARAMETERS),
# so one address cannot lock an account for everyone else.
NB_PROXIES_DE_CONFIANCE = int(os.getenv("NB_PROXIES_DE_CONFIANCE", "0"))
if NB_PROXIES_DE_CONFIANCE < 0:
    raise ImproperlyConfigured("NB_PROXIES_DE_CONFIANCE must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "contrat.securite.adresse_client"
# The rate limits (contrat/limites.py) count anonymous callers by this address
# too; DRF's own get_ident() reads it the same way (DRF's default, None, would
# trust the whole client-written header).
REST_FRAMEWORK["NUM_PROXIES"] = NB_PROXIES_DE_CONFIANCE
# API tokens expire after this many days (contrat.api.jetons); a password
# change deletes them, staff revoke them in the admin.
API_JETON_DUREE_JOURS = int(os.getenv("API_JETON_DUREE_JOURS", "30"))
if API_JETON_DUREE_JOURS < 1:
    raise ImproperlyConfigured("API_JETON_DUREE_JOURS must be at least 1.")

# The annual report's PDF (tableaux/rapport.py): printed once per year and
# data generation across all servers and stored in PostgreSQL. A request that
# finds it being printed elsewhere waits up to RAPPORT_PDF_ATTENTE seconds,
# then answers 503 with Retry-After. One Chromium at a time per server, under
# a file lock in RAPPORT_PDF_DOSSIER_VERROU (a private folder of the server).
RAPPORT_PDF_ATTENTE = float(os.getenv("RAPPORT_PDF_ATTENTE", "20"))
if RAPPORT_PDF_ATTENTE < 0:
    raise ImproperlyConfigured("RAPPORT_PDF_ATTENTE must be 0 or more.")
RAPPORT_PDF_DOSSIER_VERROU = Path(
    os.getenv("RAPPORT_PDF_DOSSIER_VERROU")
    or (
        Path(os.environ["XDG_RUNTIME_DIR"]) / "contrat-ville"
        if os.getenv("XDG_RUNTIME_DIR")
        else Path(tempfile.gettempdir()) / f"contrat-ville-{os.getuid()}"
    )
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"simple": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "simple"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    # Denied accesses (403), failed and locked-out logins are logged here.
    "loggers": {
        "contrat.securite": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
