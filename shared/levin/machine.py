"""The storage machine of Schmidhuber (1995/1997) whose programs write a weight vector.

Storage is one array of integer cells. Addresses Min..-1 are the work tape (empty at the start,
Min = 0), addresses 0..top-1 the program tape. Programs are self-sizing: whenever the machine
needs the cell at address `top` (the OracleAddress) -- an instruction head or an argument just
past the end of the code -- an *oracle* writes a new cell there. Instruction heads are drawn from
the 13 primitives, arguments from the addresses visible at that moment, Min..top. A search
(`shared.levin.search`) enumerates the oracle answers; `run` below replays a finished tape.

Primitives (number: name(arguments); c[a] is the contents of address a):
     0 Jumpleq(a1,a2,a3)  if c[a1] <= c[a2] jump to address a3, else go on
     1 Output(a1)         WriteWeight: w[WP] = c[a1], WP += 1 (halt if WP is out of range)
     2 Jump(a1)           jump to address a1
     3 Stop()             halt
     4 Add(a1,a2,a3)      c[a3] = c[a1] + c[a2]
     5 GetInput(a1,a2)    c[a2] = field[c[a1]]  (the input field; all zeros here)
     6 Move(a1,a2)        c[a2] = c[a1]
     7 Allocate(n)        n new zero cells on the work tape, Min -= n  (1 <= n <= MAX_ALLOC)
     8 Increment(a1)      c[a1] += 1
     9 Decrement(a1)      c[a1] -= 1
    10 Subtract(a1,a2,a3) c[a3] = c[a2] - c[a1]
    11 Multiply(a1,a2,a3) c[a3] = c[a1] * c[a2]
    12 Free(n)            drop the n lowest work cells, Min += n
Every instruction costs one time step. Anything impossible halts the program: a read or write
outside Min..top-1, a jump outside Min..top, an unknown instruction number, a value outside
[-VMAX, VMAX], a work tape beyond MAX_WORK cells, writing weight number N_WEIGHTS.
"""
NAMES = ("Jumpleq", "Output", "Jump", "Stop", "Add", "GetInput", "Move", "Allocate",
         "Increment", "Decrement", "Subtract", "Multiply", "Free")
N_ARGS = (3, 1, 1, 0, 3, 2, 2, 1, 1, 1, 3, 3, 1)
N_INSTR = len(NAMES)
N_WEIGHTS = 100          # the paper's net: 100 inputs, one linear output unit
VMAX = 10000             # weights are integers in [-10000, 10000] (the paper); cells share the bound
MAX_ALLOC = 8            # largest single Allocate/Free
MAX_WORK = 128           # longest work tape
FIELD = (0,) * N_WEIGHTS  # the input field GetInput reads (nothing is presented while writing weights)

RUNNING, HALTED, ORACLE = 0, 1, 2


class State:
    """One machine: program tape `prog` (addresses 0..top-1), work tape `work` (work[k] is address
    -1-k), instruction pointer, weight pointer, written weights, time steps used, halt reason, and
    `code`, the oracle answers (the program as found; `prog` may have been rewritten since)."""
    __slots__ = ("prog", "work", "ip", "wp", "w", "t", "why", "code")

    def __init__(self):
        self.prog, self.work, self.ip, self.wp, self.w, self.t, self.why = [], [], 0, 0, [], 0, ""
        self.code = []           # the oracle answers as written (prog may be rewritten by the program)

    def answer(self, v):
        """The oracle writes v at address top."""
        self.prog.append(v)
        self.code.append(v)

    def copy(self):
        s = State.__new__(State)
        s.prog, s.work, s.w, s.code = self.prog[:], self.work[:], self.w[:], self.code[:]
        s.ip, s.wp, s.t, s.why = self.ip, self.wp, self.t, self.why
        return s

    def weights(self):
        """The net's weight vector: written weights, the rest left at 0. (N_WEIGHTS,) ints"""
        return self.w + [0] * (N_WEIGHTS - len(self.w))


def oracle_options(s):
    """Values the oracle may write at the OracleAddress `top`, given the request kind: all
    instruction numbers for a head, the visible addresses Min..top for an argument."""
    top = len(s.prog)
    if s.ip == top:
        return range(N_INSTR)
    return range(-len(s.work), top + 1)


def _get(s, a):
    if a >= 0:
        return s.prog[a] if a < len(s.prog) else None
    k = -1 - a
    return s.work[k] if k < len(s.work) else None


def _put(s, a, v):
    if not -VMAX <= v <= VMAX:
        return False
    if 0 <= a < len(s.prog):
        s.prog[a] = v
        return True
    k = -1 - a
    if a < 0 and k < len(s.work):
        s.work[k] = v
        return True
    return False


def _halt(s, why):
    s.why = why
    return HALTED


def step(s):
    """Execute one instruction. Returns RUNNING, HALTED (reason in s.why) or ORACLE (the cell at
    address top is needed first; nothing has changed, append it and call again)."""
    top, ip = len(s.prog), s.ip
    if ip == top:
        return ORACLE
    op = _get(s, ip)
    if op is None:
        return _halt(s, "instruction pointer outside storage")
    if not 0 <= op < N_INSTR:
        return _halt(s, f"no instruction {op}")
    k = N_ARGS[op]
    if ip + k >= top and ip + 1 <= top <= ip + k:
        return ORACLE                          # an argument just past the code: ask the oracle
    args = [_get(s, ip + j) for j in range(1, k + 1)]
    if any(a is None for a in args):
        return _halt(s, "argument outside storage")
    s.t += 1
    nxt = ip + 1 + k
    if op == 0 or op == 2:                     # Jumpleq / Jump
        if op == 0:
            x, y = _get(s, args[0]), _get(s, args[1])
            if x is None or y is None:
                return _halt(s, "read outside storage")
            target = args[2] if x <= y else nxt
        else:
            target = args[0]
        if not -len(s.work) <= target <= top:
            return _halt(s, "jump outside storage")
        s.ip = target
        return RUNNING
    if op == 3:
        return _halt(s, "Stop")
    if op == 1:                                # Output = WriteWeight
        if s.wp >= N_WEIGHTS:
            return _halt(s, "weight pointer out of range")
        v = _get(s, args[0])
        if v is None:
            return _halt(s, "read outside storage")
        s.w.append(v)
        s.wp += 1
    elif op == 7 or op == 12:                  # Allocate / Free n cells (n is the argument itself)
        n = args[0]
        if not 1 <= n <= MAX_ALLOC:
            return _halt(s, "bad cell count")
        if op == 7:
            if len(s.work) + n > MAX_WORK:
                return _halt(s, "work tape full")
            s.work.extend([0] * n)
        else:
            if n > len(s.work):
                return _halt(s, "freeing cells that do not exist")
            del s.work[len(s.work) - n:]
    else:
        vals = [_get(s, a) for a in args[:-1]] if op in (4, 10, 11, 6, 5) else [_get(s, args[0])]
        if any(v is None for v in vals):
            return _halt(s, "read outside storage")
        if op == 4:
            v, dst = vals[0] + vals[1], args[2]
        elif op == 10:
            v, dst = vals[1] - vals[0], args[2]
        elif op == 11:
            v, dst = vals[0] * vals[1], args[2]
        elif op == 6:
            v, dst = vals[0], args[1]
        elif op == 5:
            if not 0 <= vals[0] < len(FIELD):
                return _halt(s, "input field index out of range")
            v, dst = FIELD[vals[0]], args[1]
        else:                                  # Increment / Decrement
            v, dst = vals[0] + (1 if op == 8 else -1), args[0]
        if not _put(s, dst, v):
            return _halt(s, "write outside storage or out of range")
    s.ip = nxt
    return RUNNING


def run(tape, max_steps):
    """Plain reference: run the finished program `tape` (the oracle answers, in order) for at most
    `max_steps` steps. Returns the final State; s.why is '' if it ran out of time, 'needs more
    code' if it asked for a cell beyond the tape."""
    s, rest = State(), list(tape)
    while s.t < max_steps:
        r = step(s)
        if r == HALTED:
            return s
        if r == ORACLE:
            if not rest:
                s.why = "needs more code"
                return s
            v = rest.pop(0)
            if v not in oracle_options(s):
                raise ValueError(f"{v} is not an answer the oracle could give at address {len(s.prog)}")
            s.answer(v)
    return s


def disassemble(tape):
    """Human-readable listing of a program tape, e.g. '0: Output(0)  2: Jump(0)'."""
    out, a = [], 0
    while a < len(tape):
        op = tape[a]
        if 0 <= op < N_INSTR:
            k = N_ARGS[op]
            out.append(f"{a}: {NAMES[op]}({', '.join(map(str, tape[a + 1:a + 1 + k]))})")
            a += 1 + k
        else:
            out.append(f"{a}: [{op}]")
            a += 1
    return "  ".join(out)
