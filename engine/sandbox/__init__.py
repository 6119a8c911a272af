"""Untrusted input kept in bounds: the scripts, conditions and timer expressions of deployed
processes (RestrictedPython with guards in `guard` and `limits`, run in sandbox processes under the
operating system's limits by `isolation`, `pool` and `worker`, or in-process when `fastpath` proves
them quick; what they hand back checked by `shape`), form patterns in linear time (`patterns`),
hardened XML parsing (`xmlsafe`) and the shape of submitted data (`json_input`). Imports nothing of
the engine but `errors`."""
