"""Probabilistic Incremental Program Evolution (PIPE): Salustowicz & Schmidhuber, "Probabilistic
Incremental Program Evolution", Evolutionary Computation 5(2):123-141, 1997 (short version ECML 1997).

PIPE keeps no population between generations. It keeps a probabilistic prototype tree (PPT): node
(d, w) of the tree holds a probability vector P_{d,w}(I) over the instruction set I = F u T
(functions and terminals) and, for the random-constant terminal R, a stored value R_{d,w}. A program
is sampled by walking the PPT from the root: draw an instruction at the node, and if it is a function
of arity a, continue into the node's first a children (grown on demand with the initial
probabilities). The PPT is then moved toward the best program (generation-based learning), or, with
probability P_el, toward the best program found so far (elitist learning), then mutated around the
best program and pruned.

ppt:   the instruction set (generic: any functions and terminals, numpy-array valued), the PPT
       (flat arrays, grown on demand), sampling a whole population in one breadth-first walk, and
       evaluating every sampled program on all fitness cases at once (arrays (programs, cases) per
       PPT node), beside a plain one-program recursive evaluator.
learn: the PIPE update (raise P(PROG_b) to P_TARGET by repeated increments, in closed form beside the
       literal loop), mutation with per-entry probability P_M / (|I| sqrt(|PROG_b|)), pruning,
       and the search loop (generation-based and elitist learning) with its diagnostics.
gp:    a plain Koza-style GP (tournament selection, subtree crossover) on the same instruction sets
       and evaluator, the baseline the paper compares against.

Used by pipe-symbolic-regression (and meant for pipe-6-bit-parity: give it a boolean instruction
set; nothing here assumes real values or a random constant).
"""

PAPER = ("R. P. Salustowicz, J. Schmidhuber, Probabilistic Incremental Program Evolution, Evolutionary "
         "Computation 5(2):123-141 (1997); short version in Proc. ECML 1997, LNAI 1224, 213-220")
