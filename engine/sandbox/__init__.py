"""Untrusted input kept in bounds: the scripts, conditions and timer expressions of deployed
processes (RestrictedPython with guards, run under limits), hardened XML parsing (`xmlsafe`) and the
shape of submitted data (`json_input`). Imports nothing of the engine but `errors`."""
