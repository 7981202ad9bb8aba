"""Figures of the saved em-segmentation-isbi run (never retrains).

    python3 visualize_em_segmentation_isbi.py      # results.json + results.npz -> viz/*.png

- sections.png: a test section, its ground truth, the second observer, the averaged nets'
  membrane probability for windows 24 and 48, and the segmentation;
- errors.png: pixel and Rand error of every net, the averages and the observer;
- vs_nets.png: error against the number of nets averaged, per window size;
- calibration.png: fraction of membrane pixels against predicted probability;
- curves.png: training loss of every net.
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


def sections(res, a, path):
    panels = [("test section", a["image"], "gray"), ("ground truth", a["gt"], "gray_r"),
              ("second observer", a["observer"], "gray_r"),
              ("P(membrane), window 24, averaged", a["prob_w24"].astype(float), "magma_r"),
              ("P(membrane), window 48, averaged", a["prob_w48"].astype(float), "magma_r"),
              (f"segments (window 48, t {res['metrics']['ensemble']['threshold']:.2f})", a["seg"], "tab20")]
    fig, axes = plt.subplots(2, 3, figsize=(10, 7))
    for ax, (title, img, cmap) in zip(axes.ravel(), panels, strict=True):
        ax.imshow(img, cmap=cmap, interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    save_figure(fig, path)


def errors(res, path):
    M = res["metrics"]
    rows = [(f"w{r['window']} net", r) for r in M["per_net"]]
    rows += [("w24 average", M["ensemble_w24"]), ("w48 average", M["ensemble"]),
             ("all 6 averaged", M["ensemble_all"]), ("2nd observer", M["observer"])]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, key, paper in zip(axes, ("pixel", "rand"), ((0.06, 0.07), (0.05, 0.03)), strict=True):
        ax.barh(range(len(rows)), [r[key] for _, r in rows],
                color=["tab:gray"] * len(M["per_net"])
                + ["tab:orange", "tab:blue", "tab:purple", "tab:green"])
        ax.set_yticks(range(len(rows)), [n for n, _ in rows], fontsize=7)
        ax.invert_yaxis()
        ax.axvline(paper[0], color="k", ls=":", lw=1)
        ax.axvline(paper[1], color="tab:green", ls=":", lw=1)
        ax.set_xlabel(f"{key} error (dotted: paper {paper[0]}, human {paper[1]}; recalled)", fontsize=8)
    save_figure(fig, path)


def vs_nets(res, path):
    M = res["metrics"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    for w, vals in M["vs_k"].items():
        k = np.arange(1, len(vals) + 1)
        for ax, key in zip(axes, ("pixel", "rand"), strict=True):
            ax.plot(k, [v[key] for v in vals], "o-", label=f"window {w}")
            ax.set_xlabel("nets averaged (first k)")
            ax.set_ylabel(f"{key} error")
    for ax, key in zip(axes, ("pixel", "rand"), strict=True):
        ax.axhline(M["observer"][key], color="tab:green", ls=":", label="2nd observer")
        ax.legend(fontsize=7)
    save_figure(fig, path)


def calibration(res, path):
    c = res["metrics"]["calibration"]
    n = len(c["frac"])
    mid = (np.arange(n) + 0.5) / n
    frac = np.array([np.nan if f is None else f for f in c["frac"]])
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.plot([0, 1], [0, 1], "k:", lw=1)
    ax.plot(mid, frac, "o-")
    ax.set_xlabel("predicted P(membrane), window-48 average")
    ax.set_ylabel("fraction of membrane pixels")
    save_figure(fig, path)


def curves(res, path):
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for w, cs in res["metrics"]["curves"].items():
        for i, c in enumerate(cs):
            ax.plot(np.arange(1, len(c) + 1) * 10, c, color="tab:orange" if w == "24" else "tab:blue",
                    label=f"window {w}" if i == 0 else None)
    ax.set_xlabel("% of training samples")
    ax.set_ylabel("balanced training loss")
    ax.legend(fontsize=7)
    save_figure(fig, path)


def main(args):
    res, a = load_run(args.results)
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sections(res, a, out / "sections.png")
    errors(res, out / "errors.png")
    vs_nets(res, out / "vs_nets.png")
    calibration(res, out / "calibration.png")
    curves(res, out / "curves.png")
    print(f"wrote 5 figures to {out}")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "figures"))
