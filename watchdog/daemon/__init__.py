"""`ai-watchdog daemon`: cycles on a schedule, an HTTP server for Slack and approval links, a
worker for what clicks start, and a clean stop on SIGTERM."""
