"""act: turn approved findings into AWS changes, safely and resumably, and record each one.

The executor runs a finding's planned steps in dependency order; everything it does is claimed,
recorded and audited in the store, so a run killed at any instant resumes where it stopped.
Restore and the domain-leftovers report live here too: they act on what the executor recorded.
"""
