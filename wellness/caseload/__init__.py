"""A therapist's caseload across domains: assigned practices, today's plan and adherence, the
patient's record: services that read care, practice, check-in and catalog data together.

Nothing imports this package except `web/`, the suggestion services and the demo (so `care`
never needs to import `practice` or `checkins`, and the import graph stays without cycles).
"""
