"""What the long-running shapes share: the daemon and the Lambda both run cycles (apply, then
Slack), answer the same HTTP routes, and do the same deferred work after acknowledging a click.
Entry points build a `Service` from settings and stay thin."""
