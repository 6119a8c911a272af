"""Who is who and may do what: villages by Kemendagri code (`villages`, `kemendagri`), staff and
their grants (`users`, `access`: the one visibility rule), passwords, sign-in throttling, API tokens
and sessions."""
