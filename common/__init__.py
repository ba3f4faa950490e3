"""Small helpers every app may use; no models."""
