"""Project package: settings, root URLs, WSGI/ASGI entry points and the API router."""
