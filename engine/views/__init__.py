"""Read-only pages and lists for the web app and CLI: inbox, a task, a village, the dashboard,
the auditor's and the designer's pages, diagrams, notifications, status. Nothing here changes an
instance."""
