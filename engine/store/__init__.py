"""The database: connection and transactions (`db`), the tables (`models`), plain SQL on the hot
path (`fastsql`), online backup and restore (`backup`) and the schema's migrations (`migrations/`).
Imports nothing of the engine but `errors`."""
