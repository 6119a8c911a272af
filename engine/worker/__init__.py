"""The background worker: due timers fired at their own time (`timers`) and the e-mail outbox
(`mailer`)."""
