"""The calculus core: safe formula parsing, the special functions (σ, ReLU, Φ, φ), the
activation registry and output forms, identity decisions, and the one LaTeX printer."""
