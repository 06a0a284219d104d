"""Anxiety check-ins (SUDS 0-10) and the GAD-7 questionnaire."""
