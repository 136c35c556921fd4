"""Models of the gouvernance app: added by the issue that builds it."""
