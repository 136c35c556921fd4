"""Models of the engagements app: added by the issue that builds it."""
