"""Figures of the saved highway-networks run: best training loss against depth, the winners'
training curves, the grid search, the singular values of the input-output Jacobian across depth,
the transform gates of the highway net (as the paper's figure 2) and the layer lesions (figure 4).

    python3 visualize_highway_networks.py      # results.json + results.npz -> viz/*.png
"""
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt
import numpy as np

from shared.cli import make_artifact_parser, run
from shared.figures import save_figure
from shared.results import load_run

COLORS = {"highway": "tab:blue", "plain": "tab:red"}


def loss_vs_depth(res, path):
    ds = res["config"]["depths"]
    fig, ax = plt.subplots(figsize=(5.6, 3.6))
    for f, col in COLORS.items():
        v = [res["metrics"]["best"][f][str(d)]["train_ce"] for d in ds]
        ax.plot(ds, v, "o-", color=col, label=f"{f} (best of its grid)")
    ax.axhline(1e-4, color="k", ls=":", lw=1)
    ax.text(ds[0], 1.3e-4, "paper: plain 10/20 layers reach < 1e-4 (after far longer training)", fontsize=7)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(ds, [str(d) for d in ds])
    ax.minorticks_off()
    ax.set_xlabel("layers")
    ax.set_ylabel("training cross-entropy (all 60k images)")
    ax.set_title(f"MNIST, {res['config']['epochs']} epochs, seed {res['seed']}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)


def curves(res, a, path):
    ds, cfg = res["config"]["depths"], res["config"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    for ax, f in zip(axes, COLORS, strict=True):
        for i, d in enumerate(ds):
            c = a[f"curve_{f}_{d}"]
            ep = np.arange(1, len(c) + 1) * cfg["window"] / cfg["n_train"]
            ax.plot(ep, c, color=plt.cm.viridis(i / max(1, len(ds) - 1)), label=f"{d} layers")
        ax.axvline(cfg["search_images"] / cfg["n_train"], color="gray", ls="--", lw=0.8)
        ax.set_yscale("log")
        ax.set_xlabel("epochs")
        ax.set_title(f"{f}: the winner of each grid (dashed: end of the search)", fontsize=8)
        ax.legend(fontsize=7)
    axes[0].set_ylabel(f"mean training loss per {cfg['window']:,} images")
    fig.tight_layout()
    save_figure(fig, path)


def search(res, path):
    ds = res["config"]["depths"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    for ax, f in zip(axes, COLORS, strict=True):
        for j, d in enumerate(ds):
            b = res["metrics"]["best"][f][str(d)]
            for m, ce in zip(b["members"], b["search_ce"], strict=True):
                y = 5.0 if ce is None else ce
                mk = "o" if m["act"] == "relu" else "s"
                ax.scatter(j + 0.08 * np.log10(m["lr"] / 0.03) * 3, y, marker=mk, s=18,
                           color="tab:green" if m["act"] == "relu" else "tab:purple",
                           alpha=0.5 if m.get("gate_bias", -2) == -2 else 0.9)
        ax.set_xticks(range(len(ds)), [str(d) for d in ds])
        ax.set_yscale("log")
        ax.set_xlabel("layers (within a depth: learning rate grows to the right)")
        ax.set_title(f"{f}: every grid member at the end of the search\n(circles ReLU, squares tanh; "
                     f"5 = diverged)", fontsize=8)
    axes[0].set_ylabel("mean training loss, last window of the search")
    fig.tight_layout()
    save_figure(fig, path)


def depth_spectrum(res, a, path):
    d = max(res["config"]["depths"])
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.6))
    ax = axes[0]
    for f, col in COLORS.items():
        for when, ls in (("trained", "-"), ("init", ":")):
            s = a[f"logsv_{f}_{d}_{when}"]                              # (L-1, n), largest first
            layers = np.arange(1, len(s) + 1)
            ax.plot(layers, s[:, 0], ls, color=col, label=f"{f} {when}: largest")
            ax.plot(layers, np.median(s, axis=1), ls, color=col, alpha=0.45, lw=1,
                    label=f"{f} {when}: median")
    ax.set_xlabel(f"square layer l of the {d}-layer net")
    ax.set_ylabel("ln singular value of dh_l / dh_0")
    ax.legend(fontsize=6, ncol=2)
    ax.set_title("input-output Jacobian across depth", fontsize=9)
    ax = axes[1]
    for f, col in COLORS.items():
        for when, ls in (("trained", "-"), ("init", ":")):
            lam = a[f"lyap_{f}_{d}_{when}"]
            ax.plot(np.arange(1, len(lam) + 1), lam, ls, color=col, label=f"{f} {when}")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel("exponent index")
    ax.set_ylabel("mean ln stretch per layer (nats)")
    ax.set_title(f"Lyapunov-like spectrum over depth ({d} layers)", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def gates(res, a, path):
    d = res["config"]["lesion_depth"]
    panels = [("gate_bias_%d" % d, "transform-gate bias b_T", "RdBu_r"),
              ("gate_mean_%d" % d, "mean T over training images", "viridis"),
              ("example_gates", "T for one training image", "viridis"),
              ("example_outputs", "block outputs, same image", "RdBu_r")]
    fig, axes = plt.subplots(1, 4, figsize=(10, 3.8))
    for ax, (k, title, cmap) in zip(axes, panels, strict=True):
        m = a[k]
        if cmap == "RdBu_r":
            v = float(np.abs(m).max())
            im = ax.imshow(m, aspect="auto", cmap=cmap, vmin=-v, vmax=v)
        else:
            im = ax.imshow(m, aspect="auto", cmap=cmap, vmin=0, vmax=1)
        ax.set_title(title, fontsize=8)
        ax.set_xlabel("block", fontsize=7)
        ax.tick_params(labelsize=6)
        fig.colorbar(im, ax=ax, fraction=0.05)
    axes[0].set_ylabel(f"highway layer (of the {d}-layer net)")
    fig.tight_layout()
    save_figure(fig, path)


def lesion(res, a, path):
    d = res["config"]["lesion_depth"]
    L = res["metrics"]["lesion"]
    fig, ax = plt.subplots(figsize=(6, 3.4))
    for f, col in COLORS.items():
        e = a[f"lesion_err_{f}"]
        how = "gates closed (T = 0)" if f == "highway" else "layer replaced by the identity"
        ax.plot(np.arange(2, len(e) + 2), e, "o-", ms=3, color=col, label=f"{f}: {how}")
        ax.axhline(L[f]["base_err"], color=col, ls=":", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel(f"lesioned layer (2 = the first square layer of {d})")
    ax.set_ylabel(f"training error (%), {res['config']['probe_images']:,} images")
    ax.set_title("one layer lesioned at a time (dotted: intact net)", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    os.makedirs(args.out_dir, exist_ok=True)
    loss_vs_depth(res, os.path.join(args.out_dir, "loss_vs_depth.png"))
    curves(res, a, os.path.join(args.out_dir, "training_curves.png"))
    search(res, os.path.join(args.out_dir, "search.png"))
    depth_spectrum(res, a, os.path.join(args.out_dir, "depth_spectrum.png"))
    gates(res, a, os.path.join(args.out_dir, "gates.png"))
    lesion(res, a, os.path.join(args.out_dir, "lesion.png"))
    print(f"wrote 6 figures to {args.out_dir}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
