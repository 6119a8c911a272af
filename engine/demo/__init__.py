"""`desa demo`: example villages and staff played through the deployed program."""
