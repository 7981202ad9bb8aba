"""Learning-dynamics family: the chaotic flows its stubs forecast, reconstruct and measure.

flows: Lorenz-63 and Rossler vector fields with their Jacobians (vectorised over a batch axis),
an RK4 trajectory sampler, and the reference Lyapunov exponents a stub's measured spectrum is
judged against. The Lyapunov iteration itself is plumbing (shared/lyapunov.py).
"""
