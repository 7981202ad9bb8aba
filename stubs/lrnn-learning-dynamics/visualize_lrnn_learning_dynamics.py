"""Static figures of the linear-RNN learning-dynamics run, read from its saved results (never retrains).

    python3 visualize_lrnn_learning_dynamics.py     # reads results.json + results.npz, writes viz/*.png
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.results import load_run

COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red")


def mode_label(res, i):
    st = res["config"]["stair"]
    return f"dim {i}: delta {st['delta'][i]}, lambda {st['lam'][i]}"


def staircase(res, a, out):
    """Loss, input-output modes u = ac and recurrent modes b: aligned nets (solid), reduced ODE (dashed)."""
    n, at = res["config"]["n_seeds"], a["st_at"]
    fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
    for r in range(n):
        ax[0].plot(at, a["st_loss"][r], color="k", lw=2, alpha=0.5, label="aligned nets" if r == 0 else None)
        ax[0].plot(at, a["st_loss"][n + r], color="tab:purple", lw=1, alpha=0.6,
                   label="random-init nets" if r == 0 else None)
    ax[0].plot(at, a["st_E_ode"], "w--", lw=1.2, label="reduced ODE")
    ax[0].set(yscale="log", xlabel="GD step", ylabel="loss", title="the staircase: one step per dimension")
    for i, col in enumerate(COLORS):
        for r in range(n):
            ax[1].plot(at, a["st_u_sim"][r, :, i], color=col, lw=2, alpha=0.6,
                       label=mode_label(res, i) if r == 0 else None)
            ax[2].plot(at, a["st_b_sim"][r, :, i], color=col, lw=2, alpha=0.6)
        ax[1].plot(at, a["st_u_ode"][:, i], "k--", lw=0.9)
        ax[2].plot(at, a["st_b_ode"][:, i], "k--", lw=0.9)
        for r in range(n):
            t = a["st_t_half"][r, i]
            if t >= 0:
                ax[1].axvline(t, color=col, lw=0.5, ls=":")
    ax[1].set(xlabel="GD step", ylabel="u = a c (input-output mode)",
              title="input-output modes (dashed: ODE)")
    ax[2].set(xlabel="GD step", ylabel="b (recurrent mode)", title="recurrent modes (dashed: ODE)")
    ax[2].set_ylim(-0.3, 1.3)
    ax[0].legend(fontsize=8)
    ax[1].legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, out / "staircase.png")


def random_init(res, a, out):
    """The same quantities read from the random-init nets' lag maps (u = m_0, b = m_1 / m_0) vs the ODE."""
    n, at = res["config"]["n_seeds"], a["st_at"]
    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    for i, col in enumerate(COLORS):
        for r in range(n, 2 * n):
            ax[0].plot(at, a["st_u_sim"][r, :, i], color=col, lw=1.5, alpha=0.6)
            ax[1].plot(at, np.clip(a["st_b_sim"][r, :, i], -0.5, 1.5), color=col, lw=1.5, alpha=0.6)
        ax[0].plot(at, a["st_u_ode"][:, i], "k--", lw=0.9)
        ax[1].plot(at, a["st_b_ode"][:, i], "k--", lw=0.9)
    ax[0].set(xlabel="GD step", ylabel="u = U_a^T W_y W_x V_a", title="random small init: input-output modes")
    ax[1].set(xlabel="GD step", ylabel="b = m_1 / m_0", title="random small init: recurrent modes",
              ylim=(-0.5, 1.5))
    fig.tight_layout()
    save_figure(fig, out / "random_init.png")


def task_dynamics(res, a, out):
    """Learned eigenvalue vs b*, test error vs length, hidden-state growth vs length."""
    variants = res["config"]["variants"]
    vi, rnd = a["tk_vi"], a["tk_init"].astype(bool)
    b_star = a["tk_b_star"][vi]
    fig, ax = plt.subplots(1, 3, figsize=(15, 4.3))
    ax[0].plot([0.5, 1.3], [0.5, 1.3], "k-", lw=0.6)
    ax[0].plot(b_star[~rnd], a["tk_b_fin"][~rnd], "o", ms=6, mfc="none", label="aligned: recurrent mode b")
    ax[0].plot(b_star[rnd], a["tk_top_eig"][rnd], "x", ms=6, label="random init: top eigenvalue of W_h")
    ax[0].axvline(1, color="0.7", lw=0.6)
    ax[0].axhline(1, color="0.7", lw=0.6)
    ax[0].set(xlabel="b* (1, lambda or 1/lambda)", ylabel="learned", title="learned recurrent eigenvalue")
    ax[0].legend(fontsize=8)
    L, T = a["tk_lengths"], res["config"]["T"]
    for v, (fam, lam) in enumerate(variants):
        sel = (vi == v) & ~rnd
        col = plt.cm.viridis(v / max(1, len(variants) - 1))
        style = "-" if fam == "exponential" else ":"
        ax[1].plot(L, np.maximum(a["tk_ext_err"][sel].mean(0), 1e-16), style, color=col, label=f"{fam} {lam}")
        ax[1].plot(L, np.maximum(a["tk_ext_pred"][sel][0], 1e-16), "k.", ms=3)
        ax[2].plot(L, a["tk_h_growth"][sel].mean(0), style, color=col)
    ax[1].axvline(T, color="0.5", lw=0.6)
    ax[1].set(yscale="log", xlabel="test length T'", ylabel="relative test error",
              title="extrapolation (dots: (lambda^(T-T') - 1)^2 or 0)", ylim=(1e-12, 1e3))
    ax[1].legend(fontsize=6, ncol=2)
    ax[2].axvline(T, color="0.5", lw=0.6)
    ax[2].set(yscale="log", xlabel="test length T'", ylabel="||h_(T'+1)|| / ||h_(T+1)||",
              title="hidden state: grows when b* > 1")
    fig.tight_layout()
    save_figure(fig, out / "task_dynamics.png")


def lyapunov(res, a, out):
    """ln|eig(W_h)| through training (lines), QR estimates (dots), predicted ln|lambda| per dimension."""
    n, at = res["config"]["n_seeds"], a["st_at"]
    fig, ax = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for k, (r, name) in enumerate(((0, "aligned seed 0"), (n, "random init seed 0"))):
        for j in range(a["st_eig_hist"].shape[-1]):
            ax[k].plot(at, a["st_eig_hist"][r, :, j], color="0.3", lw=1.2,
                       label="ln|eig(W_h)|" if j == 0 else None)
        snaps = a["st_qr_snaps"]
        for j in range(a["st_qr_hist"].shape[-1]):
            ax[k].plot(at[snaps], a["st_qr_hist"][r, :, j], "o", color="tab:red", ms=3,
                       label="QR estimate" if j == 0 else None)
        for i, lam in enumerate(res["config"]["stair"]["lam"]):
            ax[k].axhline(np.log(abs(lam)), color=COLORS[i], ls="--", lw=0.8)
        ax[k].axhline(0, color="k", lw=0.5)
        ax[k].set(xlabel="GD step", title=f"Lyapunov exponents, {name}", ylim=(-4, 0.5))
    ax[0].set_ylabel("exponent per step (dashed: predicted ln lambda)")
    ax[0].legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "lyapunov.png")


def tradeoff(res, a, out):
    """Final b and u against kappa at two lengths: GD (dots), ODE (line), global minimum (dashed)."""
    k = a["tr_kappa"]
    fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
    for T, col in zip(a["tr_T"], ("tab:blue", "tab:red"), strict=True):
        ax[0].plot(k, a[f"tr{T}_b_fin"], "o", color=col, ms=4, mfc="none")
        ax[0].plot(k, a[f"tr{T}_b_ode"], "-", color=col, lw=1, label=f"T = {T}: GD (o), ODE (-)")
        ax[0].plot(k, a[f"tr{T}_b_glob"], "k--", lw=0.7)
        ax[1].plot(k, a[f"tr{T}_u_fin"], "o", color=col, ms=4, mfc="none")
        ax[1].plot(k, a[f"tr{T}_u_ode"], "-", color=col, lw=1)
        ax[1].plot(k, a[f"tr{T}_u_glob"], "k--", lw=0.7)
        ax[2].plot(k, a[f"tr{T}_reg"], "-", color=col, label=f"T = {T}: regulariser")
        ax[2].plot(k, a[f"tr{T}_data"], ":", color=col, label=f"T = {T}: data term")
    ax[1].plot(k, k, color="0.7", lw=0.6, label="u = kappa (feed-forward)")
    ax[0].set(xlabel="kappa (weight of the last step)", ylabel="learned b",
              title="recurrent mode (dashed: global min)")
    ax[1].set(xlabel="kappa", ylabel="learned u = ac", title="input-output mode")
    ax[2].set(xlabel="kappa", ylabel="energy terms at the GD end point", title="Lemma 3.2 terms")
    for x in ax:
        x.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, out / "tradeoff.png")


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    for f in (staircase, random_init, task_dynamics, lyapunov, tradeoff):
        f(res, a, out)
    print(f"wrote 5 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
