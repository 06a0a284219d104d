"""Practice logs and streaks."""
