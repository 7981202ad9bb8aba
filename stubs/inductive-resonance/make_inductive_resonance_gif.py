"""Animation of the null-hallucination test, from the saved run (never retrains).

One frame per seed: the predictions of the GRU and the RNN along eval sequence 0 of their own
training world, with the input cut to zero on the shaded window. Nets trained on a null world
have nothing to continue; the original script's rule calls any leftover movement or offset
'hallucination'.

    python3 make_inductive_resonance_gif.py        # reads results.json + results.npz
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

import matplotlib.pyplot as plt

from shared import cli
from shared.figures import figure_to_frame, save_gif
from shared.results import load_run

GROUPS = ("untrained", "struct", "shuffle", "iid")
COLORS = {"untrained": "0.6", "struct": "tab:blue", "shuffle": "tab:orange", "iid": "tab:green"}


def main(args):
    res, a = load_run(args.results)
    if "gru_struct_pred0" not in a:
        raise cli.StubError(f"{args.results} holds no coasting predictions")
    c0, c1 = res["config"]["coast"]
    S = a["gru_struct_pred0"].shape[1]
    frames = []
    for s in range(S):
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
        for ax, kind in zip(axes, ("gru", "rnn"), strict=True):
            for g in GROUPS:
                ax.plot(a[f"{kind}_{g}_pred0"][:, s], color=COLORS[g], lw=1.2, label=g)
            ax.axvspan(c0, c1, color="0.92", zorder=0)
            ax.set(title=f"{kind.upper()}, seed {s}: input zero on [{c0}, {c1})", xlabel="step")
        axes[0].set_ylabel("prediction (normalised units)")
        axes[1].legend(fontsize=7, loc="upper left")
        fig.tight_layout()
        frames.append(figure_to_frame(fig, dpi=72))
    save_gif(frames, args.out, fps=1)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
