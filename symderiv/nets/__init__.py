"""The network engine: neurons and named edges, the computation graph, chain-rule factors
and backprop along it, losses, and exact and float arithmetic over it."""
