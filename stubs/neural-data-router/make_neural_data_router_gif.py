"""Animation of one depth-10 test expression through the trained nets, one frame per application
of the shared layer (from the saved run; nothing is trained).

Per net (NDR on top, shared-layer Transformer below): the copy gate of every column at this step
(mean over units; the baseline has none and always transforms), the attention map of this step
(row: query column), and each column's readout: the probability the 8-way readout (trained on the
last column only) gives to that column's own partial answer g_j(...g_1(v)) if it read the column
now. The partial answers come from the run's tables, regenerated from its seed.

    python3 make_neural_data_router_gif.py     # results.json + results.npz -> neural_data_router.gif
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

from neural_data_router import make_tables
from shared.cli import make_artifact_parser, run
from shared.figures import figure_to_frame, plt, save_gif
from shared.results import load_run
from shared.rng import streams

NAMES = {"ndr": "NDR", "baseline": "shared-layer Transformer"}


def partial_answers(tok, seed):
    """g_j(...g_1(v)) for every column j of the filmed expression (column 0: v itself)."""
    tables = make_tables(streams(seed, ["tables"])["tables"])   # the run's first stream
    out = [int(tok[0])]
    for g in tok[1:]:
        out.append(int(tables[g - 8, out[-1]]))
    return out


def frame(arr, t, part):
    tok, y = arr["film/tok"], int(arr["film/y"])
    labels = [f"v{x}" if x < 8 else f"g{x - 8}" for x in tok]
    L = len(tok)
    fig, axes = plt.subplots(2, 3, figsize=(9.6, 5.4), gridspec_kw={"width_ratios": [1, 1.3, 1]})
    for r, arch in enumerate(("ndr", "baseline")):
        g = arr[f"film/{arch}/gate"][t].mean(-1)                 # (L,)
        ax = axes[r, 0]
        ax.bar(range(L), g, color="tab:green" if arch == "ndr" else "0.6")
        ax.set(ylim=(0, 1.02), xticks=range(L), title=f"{NAMES[arch]}: gate", ylabel="mean gate")
        ax.set_xticklabels(labels, fontsize=7, rotation=90)
        ax = axes[r, 1]
        ax.imshow(arr[f"film/{arch}/attention"][t], cmap="Greys", vmin=0, vmax=1)
        ax.set(xticks=range(L), yticks=range(L), title="attention (row: query)")
        ax.set_xticklabels(labels, fontsize=6, rotation=90)
        ax.set_yticklabels(labels, fontsize=6)
        ax = axes[r, 2]
        pr = arr[f"film/{arch}/readout"][t + 1][range(L), part]    # (L,)
        ax.bar(range(L), pr, color="tab:blue" if arch == "ndr" else "tab:red")
        ax.set(ylim=(0, 1.02), xticks=range(L), title="P(its partial answer) if read here")
        ax.set_xticklabels(labels, fontsize=7, rotation=90)
    fig.suptitle(f"step {t + 1} of {arr['film/ndr/gate'].shape[0]}: depth-10 expression "
                 f"{' '.join(labels)} -> v{y} (trained on depths <= 5)", fontsize=9)
    fig.tight_layout()
    return figure_to_frame(fig, dpi=60)


def main(args):
    res, arr = load_run(args.results)
    T = arr["film/ndr/gate"].shape[0]
    part = partial_answers(arr["film/tok"], res["seed"])
    if part[-1] != int(arr["film/y"]):
        raise ValueError("the regenerated tables do not give the saved answer")
    save_gif([frame(arr, t, part) for t in range(T)], args.out, fps=2)
    print(f"wrote {args.out} ({T} frames)")


if __name__ == "__main__":
    run(main, make_artifact_parser(__doc__, __file__, "gif"))
