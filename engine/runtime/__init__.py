"""What people and the worker do to instances: one `Step` per transaction (`step`), the actions
(`actions`: start, complete, claim, reassign, message), the projections a step keeps, the audit
event it writes, and an admin's holds, corrections and instance moves to a new version."""
