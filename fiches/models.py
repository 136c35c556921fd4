"""Models of the fiches app: added by the issue that builds it."""
