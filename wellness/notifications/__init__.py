"""Alert e-mails: an outbox row per recipient, written with the alert, delivered in the background.

`outbox` chooses the recipients and writes the rows (inside the alert's transaction); `delivery`
claims due rows, sends one coalesced message per recipient and records the outcome; `mailer`
speaks SMTP; `rules` (pure) words the message and spaces the retries; `loop` runs delivery in
the app's lifespan.
"""
