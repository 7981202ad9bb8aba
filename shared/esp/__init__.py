"""Enforced SubPopulations (ESP) neuroevolution and the double cart-pole it was benchmarked on.

ESP (Gomez & Miikkulainen 1997, 1999; Gomez 2003 thesis; Gomez & Schmidhuber 2005) evolves a
recurrent net neuron by neuron: one subpopulation of candidate neurons per hidden unit, networks
formed by drawing one neuron from each subpopulation, a network's fitness shared back to the
neurons that formed it, recombination only inside a subpopulation, and burst mutation (every
subpopulation re-seeded around the best network's neuron) when the search stagnates.

plant: the double pole on a cart (two poles hinged side by side on the cart, Wieland's equations as
       coded in the benchmark's reference physics), RK4, failure test, Gruau's damping fitness
       helpers and the 625-start generalisation grid; the plain one-cart step ``step_reference``
       beside the batched ``step`` (any batch axis, real or complex for complex-step Jacobians).
net:   the fully recurrent sigmoid network whose neurons ESP evolves (forward, its Jacobian).
esp:   the ESP generation (trial networks, fitness sharing, crossover, mutation, burst mutation),
       vectorised over independent runs; Evolino's reproduction (duplicate_mutate: the top
       quarter copied with Cauchy noise on every weight, no crossover).
Used by double-pole-no-velocity (net, plant, ESP) and evolino-sines-mackey-glass (ESP with
Evolino's reproduction over LSTM memory cells from shared/lstm_gers).
"""

PAPER = ("F. J. Gomez, J. Schmidhuber, Co-evolving recurrent neurons learn deep memory POMDPs, "
         "GECCO 2005; ESP: F. Gomez, R. Miikkulainen, Solving non-Markovian control tasks with "
         "neuroevolution, IJCAI 1999, and F. Gomez, Robust non-linear control through "
         "neuroevolution, PhD thesis, UT Austin 2003")
