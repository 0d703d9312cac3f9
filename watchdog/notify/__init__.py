"""notify: what the watchdog tells people in Slack, and the buttons they answer with."""
