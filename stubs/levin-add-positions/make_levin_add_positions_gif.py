"""Animation: a w_i = i program of the paper's machine writes the adding perceptron's weights.

Replays the saved program tape (the first fit if the search met one, else the hand-written
reference program the headline measures its budget against) on the machine (shared.levin.machine;
no search): each frame shows the storage (program tape, instruction pointer) and the weights
written so far.

    python3 make_levin_add_positions_gif.py        # reads results.json + results.npz
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import shared  # noqa: F401

from shared import cli
from shared.figures import save_gif
from shared.levin import replay
from shared.results import load_run


def main(args):
    res, a = load_run(args.results)
    tape = [int(v) for v in a["first_tape"]]
    if not tape:
        raise cli.StubError(f"{args.results} holds no fitting program")
    tr = replay.trace(tape)
    f = res["metrics"]["fits"][0] if res["metrics"]["fits"] else res["metrics"]["reference"]
    frames = replay.frames(tr, f["program"], (-1, replay.M.N_WEIGHTS + 5))
    save_gif(frames, args.out, fps=6)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
