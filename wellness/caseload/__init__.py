"""A therapist's caseload across domains: assigned practices, today's plan and adherence, and
the dashboard over the whole caseload.

Services here read care, catalog, practice and check-ins data together (care may not import
practice services). Only `web`, the suggestion services and the demo import this package.
"""
