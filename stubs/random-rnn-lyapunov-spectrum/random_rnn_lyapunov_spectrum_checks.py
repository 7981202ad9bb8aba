"""--gradcheck of random_rnn_lyapunov_spectrum.py: every hand-written Jacobian against central
differences (float64), through the gradient of c . f(x) for a random c."""
import numpy as np

from random_rnn_lyapunov_spectrum import _dynamics, rnn_jacobian, rnn_step
from shared.gradcheck import check_gradients


def gradcheck(args):
    """d(c . x_{t+1}) / d x_t = J^T c for random c, and the same through 5 steps (J_5 ... J_1)."""
    rng = np.random.default_rng(args.seed)
    N, g = 12, 2.0
    W = rng.standard_normal((N, N)) / np.sqrt(N)
    errs, dyn = {}, _dynamics()
    for n_steps in (1, 5):
        x = {"x": rng.standard_normal(N)}
        c = rng.standard_normal(N)

        def loss(x=x, c=c, n_steps=n_steps):
            y = x["x"]
            for _ in range(n_steps):
                y = rnn_step(W, y, g)
            return float(c @ y)
        J, y = np.eye(N), x["x"].copy()
        for _ in range(n_steps):
            J, y = rnn_jacobian(W, y, g) @ J, rnn_step(W, y, g)
        errs[f"jacobian_{n_steps}_step"] = check_gradients(loss, x, {"x": J.T @ c})["x"]
    Jf = 2.0 * W
    np.fill_diagonal(Jf, 0.0)
    h, c = {"x": rng.standard_normal(N)}, rng.standard_normal(N)
    errs["flow_jacobian"] = check_gradients(lambda: float(c @ dyn.flow_step(Jf, h["x"], 0.05)), h,
                                            {"x": dyn.flow_jacobian(Jf, h["x"], 0.05).T @ c})["x"]
    return errs
