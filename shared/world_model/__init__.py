"""Family core: a recurrent world model M and a recurrent controller C learning on-line through it
(Schmidhuber 1990, "Making the world differentiable", FKI-126-90; IJCNN 1990 San Diego;
NIPS-3 1991, "Reinforcement learning in Markovian and non-Markovian environments").

Two continually running recurrent nets that are never reset. M sees the environment's input
(including its pain components) and C's action, and learns by real-time recurrent learning to
predict the next input. C sees the environment's input and learns, also by real-time recurrent
learning, to make M's predicted pain small: the gradient of the predicted pain with respect to C's
weights is carried forward through C's own recurrence and through M's recurrence, with M's
weights held fixed for this purpose (the "full recurrent gradient of the frozen model"). Actions
may be stochastic with a noise scale that C itself produces ("adaptive randomness").

core:    the nets (a fully recurrent hidden layer and a same-step readout), the batched on-line
         step of the whole system beside a plain one-run step written unit by unit (tested to
         agree), off-line gradients of a short stream by the same forward recursion and,
         independently, by back-propagation through time, for the gradient checks, and the
         Jacobian of C's closed loop for the Lyapunov fingerprint.
regimes: the training schedules: sequential (M learns first from random actions, then C learns
         through the frozen M) and parallel (both learn at once, with adaptive randomness), run
         for many independent runs in one batch against an environment object.
Used by flip-flop and pole-balance-non-markov.
"""

PAPER = ("J. Schmidhuber, Making the world differentiable: on using self-supervised fully recurrent "
         "neural networks for dynamic reinforcement learning and planning in non-stationary "
         "environments, TR FKI-126-90, TU Munich, 1990 (revised Nov. 1990); IJCNN 1990 San Diego, "
         "vol. 2, pp. 253-258; Reinforcement learning in Markovian and non-Markovian environments, "
         "NIPS 3, pp. 500-506, 1991")
