"""A therapist's caseload across domains: assigned practices, today's plan and adherence.

Services here read care, catalog and practice data together (care may not import practice
services). Only `web`, the suggestion services and the demo import this package.
"""
