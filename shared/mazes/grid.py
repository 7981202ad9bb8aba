"""Perfect and loopy mazes on a token grid, their labels, symmetries, metrics and a classical solver.

A maze of k x k cells lives on a (2k+1) x (2k+1) token grid: cell (i, j) sits at token
(2i+1, 2j+1), the token between two neighbouring cells is open when no wall separates them, and
the border is wall. Tokens (the HRM/TRM Maze charset "# SGo" without PAD, 0-based):

    WALL = 0, OPEN = 1, START = 2, GOAL = 3   (inputs)
    PATH = 4                                   (outputs only: open tokens on the S -> G path)

The target grid equals the input grid with the open tokens of the shortest S -> G path turned into
PATH; S and G keep their letters. In a perfect maze (a spanning tree of the cells) the path is
unique, so exact match with the label equals validity; the loopy variant keeps only instances
whose shortest path is unique (BFS path counting), so the same holds there.

    open_ = dfs_maze(rng, k)                       # (P, P) bool, P = 2k + 1
    s, g = diameter_ends(open_)                    # double BFS: the longest shortest path
    x = encode(open_, s, g); y = label(x)          # (P, P) int8 each
"""
from collections import deque

import numpy as np

from shared import cli

WALL, OPEN, START, GOAL, PATH = 0, 1, 2, 3, 4
N_IN, N_OUT = 4, 5
CHARS = "# SGo"                                   # text rendering, one character per token id
_STEPS = ((-1, 0), (1, 0), (0, -1), (0, 1))


def check_cells(k):
    """k (cells per side) must be an integer >= 2; otherwise a ValueError that says why."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise ValueError(f"a maze needs at least 2 x 2 cells (grid 5 x 5), got k = {k!r}")
    return int(k)


def cells_from_grid(P):
    """Cells per side for a token grid of side P = 2k + 1 (odd, >= 5), or a ValueError."""
    if isinstance(P, bool) or not isinstance(P, (int, np.integer)) or P < 5 or P % 2 == 0:
        raise ValueError(f"maze grid side must be odd and >= 5 (2k+1 for k >= 2 cells), got {P!r}")
    return (int(P) - 1) // 2


# ----------------------------------------------------------------------------------------------
# Generation
# ----------------------------------------------------------------------------------------------
def dfs_maze(rng, k):
    """Randomised depth-first search (recursive backtracker): a perfect maze with long corridors.

    Returns open_ (P, P) bool, P = 2k + 1.
    """
    k = check_cells(k)
    P = 2 * k + 1
    open_ = np.zeros((P, P), dtype=bool)
    seen = np.zeros((k, k), dtype=bool)
    start = (int(rng.integers(k)), int(rng.integers(k)))
    stack = [start]
    seen[start] = True
    open_[2 * start[0] + 1, 2 * start[1] + 1] = True
    while stack:
        i, j = stack[-1]
        nbrs = [(i + di, j + dj) for di, dj in _STEPS
                if 0 <= i + di < k and 0 <= j + dj < k and not seen[i + di, j + dj]]
        if not nbrs:
            stack.pop()
            continue
        a, b = nbrs[int(rng.integers(len(nbrs)))]
        seen[a, b] = True
        open_[i + a + 1, j + b + 1] = True          # the wall token between (i, j) and (a, b)
        open_[2 * a + 1, 2 * b + 1] = True
        stack.append((a, b))
    return open_


def wilson_maze(rng, k):
    """Wilson's algorithm (loop-erased random walks): a uniform spanning tree of the k x k cells.

    Returns open_ (P, P) bool, P = 2k + 1.
    """
    k = check_cells(k)
    P = 2 * k + 1
    open_ = np.zeros((P, P), dtype=bool)
    in_tree = np.zeros((k, k), dtype=bool)
    in_tree[int(rng.integers(k)), int(rng.integers(k))] = True
    open_[1::2, 1::2] = True                         # every cell is open; walls carry the structure
    nxt = {}
    for c0 in [(i, j) for i in range(k) for j in range(k)]:
        c = c0
        while not in_tree[c]:                        # random walk; remembering the last exit erases loops
            nbrs = [(c[0] + di, c[1] + dj) for di, dj in _STEPS
                    if 0 <= c[0] + di < k and 0 <= c[1] + dj < k]
            nxt[c] = nbrs[int(rng.integers(len(nbrs)))]
            c = nxt[c]
        c = c0
        while not in_tree[c]:
            a, b = nxt[c]
            open_[c[0] + a + 1, c[1] + b + 1] = True
            in_tree[c] = True
            c = (a, b)
    return open_


def braid(rng, open_, p):
    """Loopy variant: remove each remaining interior wall between two cells with probability p."""
    out = open_.copy()
    P = out.shape[0]
    walls = np.zeros_like(out)
    walls[1:P - 1:2, 2:P - 1:2] = True                # between horizontal neighbours
    walls[2:P - 1:2, 1:P - 1:2] = True                # between vertical neighbours
    walls &= ~out
    out |= walls & (rng.random(out.shape) < p)
    return out


# ----------------------------------------------------------------------------------------------
# Breadth-first search: distances, path counts, diameter ends, labels
# ----------------------------------------------------------------------------------------------
def bfs(open_, src):
    """Distances (P, P) int (-1 = unreachable) and shortest-path counts (P, P) int from src."""
    P = open_.shape[0]
    dist = np.full((P, P), -1, dtype=np.int64)
    count = np.zeros((P, P), dtype=np.int64)
    dist[src], count[src] = 0, 1
    q = deque([src])
    while q:
        i, j = q.popleft()
        for di, dj in _STEPS:
            a, b = i + di, j + dj
            if 0 <= a < P and 0 <= b < P and open_[a, b]:
                if dist[a, b] < 0:
                    dist[a, b] = dist[i, j] + 1
                    q.append((a, b))
                if dist[a, b] == dist[i, j] + 1:
                    count[a, b] += count[i, j]
    return dist, count


def _farthest(dist):
    """The first token in row-major order at the largest distance."""
    return tuple(int(v) for v in np.unravel_index(int(np.argmax(dist)), dist.shape))


def diameter_ends(open_):
    """Double BFS: the farthest token from a cell, then the farthest from that one.

    On a tree this gives the two ends of a longest shortest path (the diameter); on a loopy maze
    it is the usual 2-sweep lower bound. Returns ((r, c), (r, c)).
    """
    a = _farthest(bfs(open_, (1, 1))[0])
    b = _farthest(bfs(open_, a)[0])
    if a == b:
        raise ValueError("maze has a single open token")
    return a, b


def shortest_path(open_, s, g):
    """Tokens of a shortest s -> g path, s first, as a list of (r, c); ValueError if unreachable."""
    dist = bfs(open_, g)[0]
    if dist[s] < 0:
        raise ValueError(f"goal {g} is not reachable from start {s}")
    path, (i, j) = [s], s
    while (i, j) != g:                                # walk downhill in the distance to g
        for di, dj in _STEPS:
            a, b = i + di, j + dj
            if 0 <= a < open_.shape[0] and 0 <= b < open_.shape[0] and dist[a, b] == dist[i, j] - 1:
                i, j = a, b
                break
        path.append((i, j))
    return path


def encode(open_, s, g):
    """Input token grid (P, P) int8: WALL / OPEN, with START at s and GOAL at g."""
    x = np.where(open_, OPEN, WALL).astype(np.int8)
    x[s], x[g] = START, GOAL
    return x


def decode(x):
    """(open_ (P, P) bool, s, g) of an input token grid."""
    s = tuple(int(v) for v in np.argwhere(x == START)[0])
    g = tuple(int(v) for v in np.argwhere(x == GOAL)[0])
    return x != WALL, s, g


def label(x):
    """Target grid (P, P) int8: the input with the shortest path's interior tokens set to PATH.

    Raises ValueError if the shortest path is not unique (the label would be ambiguous).
    """
    open_, s, g = decode(x)
    dist, count = bfs(open_, s)
    if dist[g] < 0:
        raise ValueError("goal not reachable")
    if count[g] != 1:
        raise ValueError(f"{count[g]} shortest paths: the label is ambiguous")
    y = x.copy()
    for t in shortest_path(open_, s, g)[1:-1]:
        y[t] = PATH
    return y


def make_maze(rng, k, kind="dfs", braid_p=0.15, max_tries=100):
    """One instance: input grid x and target y, (P, P) int8 each, S and G at the diameter ends.

    kind: "dfs" (perfect, long corridors), "wilson" (perfect, uniform spanning tree), or
    "loopy" (a DFS maze braided with probability braid_p; redrawn until the shortest path between
    the double-BFS ends is unique). Which end is S is drawn at random.
    """
    gen = {"dfs": dfs_maze, "wilson": wilson_maze, "loopy": dfs_maze}
    if kind not in gen:
        raise ValueError(f"unknown maze kind {kind!r}; choose from {sorted(gen)}")
    for _ in range(max_tries):
        open_ = gen[kind](rng, k)
        if kind == "loopy":
            open_ = braid(rng, open_, braid_p)
        s, g = diameter_ends(open_)
        if rng.random() < 0.5:
            s, g = g, s
        x = encode(open_, s, g)
        if kind == "loopy" and bfs(open_, s)[1][g] != 1:
            continue
        return x, label(x)
    raise ValueError(f"no {kind} maze with a unique shortest path in {max_tries} tries")


# ----------------------------------------------------------------------------------------------
# Symmetries
# ----------------------------------------------------------------------------------------------
def dihedral(a, t):
    """The t-th of the 8 symmetries of the square (t in 0..7) on the last two axes of a.

    t = r + 4 f: rotate by r quarter turns, then transpose if f. Works on (..., P, P) arrays.
    """
    if not 0 <= t < 8:
        raise ValueError(f"dihedral index must be in 0..7, got {t}")
    b = np.rot90(a, t % 4, axes=(-2, -1))
    return np.swapaxes(b, -1, -2) if t >= 4 else b


def dihedral_inverse(t):
    """Index u with dihedral(dihedral(a, t), u) == a."""
    return t if t >= 4 else (4 - t) % 4


def canonical_key(x):
    """Bytes of the smallest of the 8 symmetric copies of the wall layout of x (S/G ignored).

    Two mazes with equal keys are the same maze up to rotation and reflection, so deduplicating
    on this key makes train and test disjoint even under dihedral augmentation.
    """
    walls = (np.asarray(x) == WALL).astype(np.uint8)
    return min(np.ascontiguousarray(dihedral(walls, t)).tobytes() for t in range(8))


def make_dataset(rng, n, k, kind="dfs", exclude=(), max_misses=2000, **kw):
    """n distinct mazes (none equal under symmetry to each other or to a key in ``exclude``).

    Returns x, y (n, P, P) int8 and the set of their canonical keys. Raises ValueError when
    max_misses draws in a row give nothing new: the generator cannot supply that many (e.g.
    randomised DFS on 4 x 4 cells makes only 481 distinct mazes up to symmetry).
    """
    seen, xs, ys = set(exclude), [], []
    keys = set()
    misses = 0
    while len(xs) < n:
        x, y = make_maze(rng, k, kind, **kw)
        key = canonical_key(x)
        if key in seen:
            misses += 1
            if misses >= max_misses:
                raise ValueError(f"could not find {n} distinct {k}x{k}-cell {kind} mazes (found {len(xs)}, "
                                 f"then {max_misses} repeats in a row): too few exist at this size")
            continue
        misses = 0
        seen.add(key)
        keys.add(key)
        xs.append(x)
        ys.append(y)
    return np.stack(xs), np.stack(ys), keys


# ----------------------------------------------------------------------------------------------
# Metrics
# ----------------------------------------------------------------------------------------------
def exact_match(pred, y):
    """(B,) bool: every token of the predicted grid equals the target. pred, y (B, P, P)."""
    return np.all(pred == y, axis=(-2, -1))


def token_accuracy(pred, y):
    """(B,) float: fraction of tokens right per maze."""
    return np.mean(pred == y, axis=(-2, -1))


def is_valid(pred, x):
    """True if the PATH tokens of pred, with S and G, form a shortest S -> G path through open tokens.

    pred, x: (P, P). Checks: PATH only on open tokens; S and G have one path neighbour, every
    PATH token two; the set is connected; its length equals the BFS optimum.
    """
    open_, s, g = decode(x)
    on = (pred == PATH)
    if np.any(on & ~open_) or np.any(on & (x != OPEN)):
        return False
    on = on.copy()
    on[s] = on[g] = True
    pad = np.pad(on, 1)
    deg = pad[:-2, 1:-1].astype(int) + pad[2:, 1:-1] + pad[1:-1, :-2] + pad[1:-1, 2:]
    if deg[s] != 1 or deg[g] != 1:
        return False
    inner = on.copy()
    inner[s] = inner[g] = False
    if np.any(deg[inner] != 2):
        return False
    dist = bfs(on, s)[0]
    n_opt = bfs(open_, s)[0][g]
    return bool(dist[g] == n_opt and int(on.sum()) == n_opt + 1)


def validity(pred, x):
    """(B,) bool of is_valid over a batch of (B, P, P) grids."""
    return np.array([is_valid(p, xx) for p, xx in zip(pred, x, strict=True)], dtype=bool)


# ----------------------------------------------------------------------------------------------
# Classical baseline: dead-end filling
# ----------------------------------------------------------------------------------------------
def dead_end_fill(x):
    """Dead-end filling as a cellular automaton, batched: x (B, P, P) -> (pred (B, P, P), sweeps (B,)).

    Every sweep fills, in parallel, each open token other than S and G that has at most one open
    neighbour. On a perfect maze what stays open is exactly the S -> G path; ``sweeps`` (the
    number of sweeps that changed something) is the length of the longest dead-end branch — the
    depth a local recurrent solver needs.
    """
    x = np.asarray(x)
    free = (x != WALL)
    fixed = (x == START) | (x == GOAL)
    sweeps = np.zeros(x.shape[0], dtype=np.int64)
    while True:
        pad = np.pad(free, ((0, 0), (1, 1), (1, 1)))
        deg = (pad[:, :-2, 1:-1].astype(np.int8) + pad[:, 2:, 1:-1] + pad[:, 1:-1, :-2]
               + pad[:, 1:-1, 2:])
        fill = free & ~fixed & (deg <= 1)
        changed = fill.any(axis=(1, 2))
        if not changed.any():
            break
        sweeps += changed
        free &= ~fill
    pred = np.where(x == OPEN, np.where(free, PATH, OPEN), x).astype(np.int8)
    return pred, sweeps


def render(grid):
    """Text picture of a token grid, one line per row (CHARS)."""
    return "\n".join("".join(CHARS[int(v)] for v in row) for row in np.asarray(grid))


def make_split(rng_data, rng_eval, grid, n_train, n_test, kind):
    """Training mazes with their 8 dihedral copies, Xa, Ya (8, N, P, P), and test mazes Xt, Yt
    (M, P, P) that are disjoint from training under all 8 symmetries. ValueError if the generator
    cannot supply that many distinct mazes."""
    k = cells_from_grid(grid)
    X, Y, keys = make_dataset(rng_data, n_train, k, kind)
    Xt, Yt, _ = make_dataset(rng_eval, n_test, k, kind, exclude=keys)
    return (np.stack([dihedral(X, t) for t in range(8)]), np.stack([dihedral(Y, t) for t in range(8)]),
            Xt, Yt)


def make_data(rng_data, rng_eval, cfg):
    """make_split with the sizes of a stub's config (cfg: grid, n_train, n_test, kind); a request
    the generator cannot meet ends the run with one line (cli.StubError), not a traceback."""
    try:
        return make_split(rng_data, rng_eval, cfg["grid"], cfg["n_train"], cfg["n_test"], cfg["kind"])
    except ValueError as e:
        raise cli.StubError(str(e)) from None


def auc(score_pos, score_neg):
    """P(score of a positive > score of a negative), ties counted half (Mann-Whitney); None if a
    class is empty."""
    if len(score_pos) == 0 or len(score_neg) == 0:
        return None
    a = np.asarray(score_pos)[:, None]
    b = np.asarray(score_neg)[None, :]
    return float(np.mean(a > b) + 0.5 * np.mean(a == b))


def lambda1_split(lam1, ok):
    """How many mazes are solved and not, and the median top exponent of each group.

    lam1, ok: arrays of one shape (lambda_1 and solved per maze); a median is None for an empty group.
    """
    return dict(n_success=int(ok.sum()), n_failure=int((~ok).sum()),
                median_lambda1_success=float(np.median(lam1[ok])) if ok.any() else None,
                median_lambda1_failure=float(np.median(lam1[~ok])) if (~ok).any() else None)
