"""Session suggestions from logged anxiety: a safety filter, a pooled model and its explanations."""
