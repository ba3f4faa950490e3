"""Small helpers every app may use; no models (see ARCHITECTURE.md)."""
