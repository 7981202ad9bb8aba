"""The probabilistic prototype tree (PPT), sampling programs from it, and evaluating them.

Instruction set. ``InstructionSet(functions, terminals)``: functions are (name, arity, fn) with fn
taking ``arity`` arrays of shape (m, C) (m programs, C fitness cases) and returning (m, C);
terminals are variable names (looked up as rows of the input matrix X (V, C)) or the random
constant ``"R"``. Instruction index i runs over functions first, then terminals.

PPT. Node ids index flat arrays: probs (cap, |I|), const (cap,) (the stored R_{d,w}), child
(cap, max_arity) (-1: not grown yet, or pruned), depth (cap,). The root is node 0. Children are
grown on demand, each with the initial vector P(I) = P_T / |T| for terminals and (1 - P_T) / |F| for
functions, and a fresh R_{d,w} uniform in [0, 1).

Programs. A program is stored in preorder as ``ins`` (n,) int and ``const`` (n,) float (the value of
R where ins is R, else 0); the arities make the tree structure implicit. ``nodes_of(ppt, prog)``
maps the preorder positions to PPT node ids (growing nodes the program needs).

Sampling a population. ``sample(ppt, m, rng, ...)`` walks the PPT breadth first once for all m
programs: at each node it draws the instruction of every program that reaches it in one numpy call.
It returns a ``Population``: the visited node ids (K,), ins (K, m) (-1 where a program does not reach
the node), const (K, m) and kid (K, max_arity) (row of each child in the visit order, -1 if none).
``evaluate(iset, pop, X)`` then computes every program on all C cases bottom-up, one node at a time
and, inside a node, one call per distinct instruction there: values (m, C) at the root.
"""
from bisect import bisect_right
from itertools import accumulate

import numpy as np

R_NAME = "R"


class InstructionSet:
    """Functions (name, arity, fn) and terminals (variable names and/or "R")."""

    def __init__(self, functions, terminals, variables=None):
        self.functions = list(functions)
        self.terminals = list(terminals)
        self.names = [f[0] for f in self.functions] + list(self.terminals)
        self.arity = np.array([f[1] for f in self.functions] + [0] * len(self.terminals), np.int64)
        self.fns = [f[2] for f in self.functions] + [None] * len(self.terminals)
        self.n_functions = len(self.functions)
        self.n = len(self.names)
        self.max_arity = int(self.arity.max()) if self.n_functions else 0
        variables = variables if variables is not None else [t for t in self.terminals if t != R_NAME]
        self.var_row = {name: i for i, name in enumerate(variables)}
        self.r_index = self.names.index(R_NAME) if R_NAME in self.names else -1
        if len(set(self.names)) != self.n:
            raise ValueError(f"instruction names must be unique: {self.names}")
        self.is_terminal = self.arity == 0

    def index(self, name):
        return self.names.index(name)

    def initial_probs(self, p_terminal):
        """P_T / |T| on every terminal, (1 - P_T) / |F| on every function."""
        p = np.empty(self.n)
        p[self.n_functions:] = p_terminal / len(self.terminals)
        if self.n_functions:
            p[:self.n_functions] = (1.0 - p_terminal) / self.n_functions
        return p


class PPT:
    """A growable probabilistic prototype tree (see the module docstring for the arrays)."""

    def __init__(self, iset, p_terminal, rng, capacity=256):
        self.iset = iset
        self.p0 = iset.initial_probs(p_terminal)
        self.rng = rng                                   # draws R_{d,w} of new nodes
        A = max(iset.max_arity, 1)
        self.probs = np.zeros((capacity, iset.n))
        self.const = np.zeros(capacity)
        self.child = np.full((capacity, A), -1, np.int64)
        self.depth = np.zeros(capacity, np.int64)
        self.n = 0
        self.new_node(0)

    def new_node(self, depth):
        if self.n == len(self.probs):                    # double the storage
            grow = len(self.probs)
            self.probs = np.concatenate([self.probs, np.zeros_like(self.probs[:grow])])
            self.const = np.concatenate([self.const, np.zeros(grow)])
            self.child = np.concatenate([self.child, np.full_like(self.child[:grow], -1)])
            self.depth = np.concatenate([self.depth, np.zeros(grow, np.int64)])
        i = self.n
        self.probs[i] = self.p0
        self.const[i] = self.rng.random()
        self.child[i] = -1
        self.depth[i] = depth
        self.n += 1
        return i

    def child_of(self, node, j):
        """Child j of node, grown (with initial probabilities) if it is not there."""
        c = self.child[node, j]
        if c < 0:
            c = self.new_node(self.depth[node] + 1)
            self.child[node, j] = c
        return c

    def reachable(self):
        """Ids of the nodes still attached to the root (pruned subtrees are detached, not freed)."""
        out, stack = [], [0]
        while stack:
            i = stack.pop()
            out.append(i)
            stack.extend(int(c) for c in self.child[i] if c >= 0)
        return np.array(sorted(out), np.int64)


class Population:
    """m programs sampled together: nodes (K,), ins (K, m) (-1: program does not reach the node),
    const (K, m), kid (K, A) (row of child j in the visit order, -1: none)."""

    def __init__(self, nodes, ins, const, kid, arity):
        self.nodes = np.asarray(nodes, np.int64)
        self.ins = np.asarray(ins, np.int64).reshape(len(nodes), -1)
        self.const = np.asarray(const, np.float64).reshape(len(nodes), -1)
        self.kid = np.asarray(kid, np.int64).reshape(len(nodes), -1)
        self.arity = arity                      # (|I|,) of the instruction set
        self.m = self.ins.shape[1]

    def sizes(self):
        """Number of nodes of each program: (m,)."""
        return (self.ins >= 0).sum(axis=0)

    def program(self, b):
        """Program b in preorder: (ins (n,), const (n,))."""
        ins, const, stack = [], [], [0]
        while stack:
            k = stack.pop()
            i = int(self.ins[k, b])
            ins.append(i)
            const.append(float(self.const[k, b]))
            kids = [int(self.kid[k, j]) for j in range(self.arity[i])]
            stack.extend(reversed(kids))                 # first child is visited next
        return np.array(ins, np.int64), np.array(const)


class _Uniforms:
    """Uniform [0, 1) numbers from a numpy generator, drawn in blocks and handed out one by one."""

    def __init__(self, rng, block=512):
        self.rng, self.block, self.buf, self.pos = rng, block, [], 0

    def __call__(self):
        if self.pos == len(self.buf):
            self.buf, self.pos = self.rng.random(self.block).tolist(), 0
        self.pos += 1
        return self.buf[self.pos - 1]


def sample(ppt, m, rng, t_random=None, max_depth=None):
    """Sample m programs from the PPT in one breadth-first walk.

    At node (d, w) program k draws instruction i with probability P_{d,w}(i). If it draws R, it
    uses the stored R_{d,w} when P_{d,w}(R) > t_random (T_R), else a fresh uniform [0, 1) value.
    At depth max_depth only terminals can be drawn (their probabilities renormalised): a cap on
    program size that the PPT itself does not have. The per-program draws are plain Python (a
    population is small; numpy calls per node would cost more than they save). Returns a
    Population."""
    iset = ppt.iset
    A = max(iset.max_arity, 1)
    ar, r, n = iset.arity.tolist(), iset.r_index, iset.n
    term_mask = iset.is_terminal
    u = _Uniforms(rng)
    nodes, ins_rows, const_rows, kid_rows = [], [], [], []
    queue = [(0, list(range(m)))]
    head = 0
    while head < len(queue):
        node, who = queue[head]
        head += 1
        row = ppt.probs[node]
        if max_depth is not None and ppt.depth[node] >= max_depth:
            row = np.where(term_mask, row, 0.0)
        cum = list(accumulate(row.tolist()))
        total = cum[-1]
        reuse = r >= 0 and t_random is not None and row[r] > t_random
        ins = [-1] * m
        const = [0.0] * m
        kids_who = [[] for _ in range(A)]
        for p in who:
            i = min(bisect_right(cum, u() * total), n - 1)
            ins[p] = i
            if i == r:
                const[p] = float(ppt.const[node]) if reuse else u()
            for j in range(ar[i]):
                kids_who[j].append(p)
        kid = [-1] * A
        for j in range(A):
            if kids_who[j]:
                kid[j] = len(queue)
                queue.append((ppt.child_of(node, j), kids_who[j]))
        nodes.append(node)
        ins_rows.append(ins)
        const_rows.append(const)
        kid_rows.append(kid)
    return Population(nodes, ins_rows, const_rows, kid_rows, iset.arity)


def evaluate(iset, pop, X):
    """Outputs of every program of pop on every fitness case: (m, C). X: (V, C) input rows.

    Bottom-up over the visit order (children always come after their parent in a breadth-first
    walk, so the reverse order has every child ready). Each visited node holds an (m, C) array;
    rows of programs that do not reach the node are left as they fall and never read. Where all
    programs at a node use one instruction, it is applied to whole arrays, else per instruction to
    the rows that use it."""
    K, m = pop.ins.shape
    C = X.shape[1]
    vals = [None] * K
    ins_all, kid_all = pop.ins.tolist(), pop.kid.tolist()
    with np.errstate(all="ignore"):
        for k in range(K - 1, -1, -1):
            ins = ins_all[k]
            used = sorted(set(ins) - {-1})
            if len(used) == 1:
                i = used[0]
                if i == iset.r_index:
                    out = np.repeat(pop.const[k][:, None], C, axis=1)
                elif iset.arity[i] == 0:
                    out = np.broadcast_to(X[iset.var_row[iset.names[i]]], (m, C))
                else:
                    out = iset.fns[i](*[vals[kid_all[k][j]] for j in range(iset.arity[i])])
            else:
                out = np.zeros((m, C), dtype=X.dtype)
                for i in used:
                    sel = [p for p in range(m) if ins[p] == i]
                    if i == iset.r_index:
                        out[sel] = pop.const[k, sel][:, None]
                    elif iset.arity[i] == 0:
                        out[sel] = X[iset.var_row[iset.names[i]]]
                    else:
                        out[sel] = iset.fns[i](*[vals[kid_all[k][j]][sel] for j in range(iset.arity[i])])
            vals[k] = out
            for j in kid_all[k]:                          # children are no longer needed
                if j >= 0:
                    vals[j] = None
    return np.asarray(vals[0])


def evaluate_program(iset, ins, const, X):
    """Plain evaluation of one preorder program on all cases: (C,). Read right to left, a preorder
    program is postfix for a stack machine: a terminal pushes its values, a function pops its
    arguments (first argument on top) and pushes its result."""
    C = X.shape[1]
    stack = []
    ar, r = iset.arity, iset.r_index
    with np.errstate(all="ignore"):
        for k in range(len(ins) - 1, -1, -1):
            i = int(ins[k])
            if i == r:
                stack.append(np.full(C, const[k], dtype=X.dtype))
            elif ar[i] == 0:
                stack.append(X[iset.var_row[iset.names[i]]])
            else:
                if len(stack) < ar[i]:
                    raise ValueError(f"not a well-formed program: {iset.names[i]} at {k} lacks arguments")
                args = [stack.pop() for _ in range(ar[i])]
                stack.append(iset.fns[i](*args))
    if len(stack) != 1:
        raise ValueError(f"not a well-formed program: {len(stack)} values left on the stack")
    return np.asarray(stack[0])


def subtree_end(arity_of_ins, start):
    """Index one past the subtree that starts at preorder position ``start``."""
    need, k = 1, start
    while need:
        need += int(arity_of_ins[k]) - 1
        k += 1
    return k


def depths(arity_of_ins):
    """Depth (root 0) of every preorder position: (n,)."""
    out = np.empty(len(arity_of_ins), np.int64)
    stack = []                                  # [depth, children still to come] of open functions
    for k, a in enumerate(arity_of_ins):
        d = 0 if not stack else stack[-1][0] + 1
        out[k] = d
        if stack:
            stack[-1][1] -= 1
            if stack[-1][1] == 0:
                stack.pop()
        if a > 0:
            stack.append([d, int(a)])
    return out


def nodes_of(ppt, ins):
    """PPT node id of every preorder position of a program (growing nodes it needs): (n,)."""
    ar = ppt.iset.arity[ins]
    out = np.empty(len(ins), np.int64)
    stack = []                                  # [node, arity, next child slot] of open functions
    for k in range(len(ins)):
        if k == 0:
            node = 0
        else:
            top = stack[-1]
            node = ppt.child_of(top[0], top[2])
            top[2] += 1
            if top[2] == top[1]:                # its last child: later positions belong higher up
                stack.pop()
        out[k] = node
        if ar[k] > 0:
            stack.append([node, int(ar[k]), 0])
    return out


def to_text(iset, ins, const, digits=3):
    """The program as an infix/prefix expression string."""
    pos = [0]

    def rec():
        k = pos[0]
        pos[0] += 1
        i = int(ins[k])
        name = iset.names[i]
        if i == iset.r_index:
            return f"{const[k]:.{digits}g}"
        if iset.arity[i] == 0:
            return name
        args = [rec() for _ in range(iset.arity[i])]
        if iset.arity[i] == 2 and not name.isalpha():
            return f"({args[0]} {name} {args[1]})"
        return f"{name}({', '.join(args)})"

    return rec()
