"""A therapist's caseload across domains: assigned practices, today's plan and adherence, a
patient's record, alerts as the care team reads them, and the dashboard over the whole caseload.

Services here read care, catalog, practice and check-ins data together (so `care` never needs to
import `practice` or `checkins`, and the import graph stays without cycles). Only `web`, the
suggestion services and the demo import this package.
"""
