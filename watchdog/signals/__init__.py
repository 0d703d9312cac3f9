"""The signals stage: metrics, prices and costs that attach to resources. Decides nothing."""
