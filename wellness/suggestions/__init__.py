"""Session suggestions from logged anxiety: a safety filter, a pooled model and its explanations.

Pure modules (standard library and numpy; `now` and every fact come in as arguments):

- `inputs`: the types the engine, the simulated clinic and the app share.
- `safety`: the hard filter, applied first (also the support panel's choice of sessions).
- `rules`: clinical.md's "what to offer" rules as a score, the model's prior mean.
- `features`, `model`, `pooling`: the pooled Bayesian model of the before->after change.
- `agenda`, `choice`: due practices, yesterday's session, Thompson sampling with exact
  inclusion probabilities between a floor and a ceiling.
- `reasons`: plain words from the numbers the choice used.
- `engine`: the entry points (`fit_clinic`, `suggest`, `rules_only`, `engine_plan`, ...).
- `offpolicy`: self-normalised inverse propensity and doubly robust estimates from the logs.
- `evaluation`: `wellness suggestions report`'s estimates for the current engine and rules only.

The database side (Tortoise; nothing above imports it):

- `services`: what the app calls: the patient's context from the database (`services.context`),
  the clinic fit kept per worker (`services.clinic`), `suggestions_for`, `start_suggested`,
  `distress_note`; `services.review` reads the logs back for `wellness suggestions report`.
- `logs`: every list shown and the practice that followed it (`logs.models`), and
  `last_suggestions_for` for the care team.
"""
