"""Services over a therapist's whole caseload: they read care, practice and check-ins data."""
