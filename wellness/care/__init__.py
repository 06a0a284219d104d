"""Care teams (which therapist looks after which patient) and safety alerts."""
