"""A therapist's caseload across domains: a patient's record for their care team, alerts with
the ratings that raised them, assigned practices, today's plan and adherence, and the dashboard
over the whole caseload.

Services here read care, catalog, practice and check-in data together (care may not import
practice or check-in services). Only `web`, the suggestion services and the demo import this
package.
"""
