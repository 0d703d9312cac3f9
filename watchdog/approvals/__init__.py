"""Approval links: signed, expiring, single-use URLs that let a person approve one action on
one finding from a browser (the link posted in Slack, or sent by mail).

`tokens` signs and verifies the link's token, `pages` renders what a browser sees, and `http`
is the framework-free handler the daemon's HTTP server and the Lambda's HTTP API both call.
Nothing is imported here: signing a link (every Slack alert does) must not load the pages and
the HTTP handler, which only an HTTP request needs.
"""
