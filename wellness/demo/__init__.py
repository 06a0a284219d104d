"""The demo: accounts for every role, a library of playable sessions and weeks of history.

`seed.seed_demo` resets a demo database; `content` reads the library (`library.toml`), `audio`
synthesises its tracks and `history` writes the practice, check-ins and alerts.
"""
