"""Animation: the first program Levin search found writes the counting perceptron's weights.

Replays the saved program tape on the machine (shared.levin.replay; no search): each frame shows
the storage (program tape, instruction pointer) and the weights written so far.

    python3 make_levin_count_inputs_gif.py        # reads results.json + results.npz
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
    f = res["metrics"]["first_fit"]
    frames = replay.frames(tr, f["program"], (-0.1, 1.5), written=lambda st: sum(1 for x in st["w"] if x))
    save_gif(frames, args.out, fps=6)
    print(f"wrote {args.out} ({len(frames)} frames)")


if __name__ == "__main__":
    cli.run(main, cli.make_artifact_parser(__doc__, __file__, "gif"))
