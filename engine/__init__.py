"""desa engine: runs the program's BPMN processes with SpiffWorkflow and persists them with SQLAlchemy.

The web app, the CLI and the timer worker all call functions of this package; nothing outside it
touches SpiffWorkflow objects or the database tables directly.
"""
