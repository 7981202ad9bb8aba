"""World Models (Ha & Schmidhuber 2018): V, M and the CMA-ES that trains C.

D. Ha and J. Schmidhuber, "Recurrent world models facilitate policy evolution", NeurIPS 2018
(long version "World Models", arXiv:1803.10122). Not to be confused with ``shared/world_model/``,
which holds Schmidhuber's 1990 model-network/controller pair.

    vae.py      V: a variational autoencoder (here fully connected) from frames to latents z,
                forward, backward, and a plain per-frame version written like the equations; an
                optional floor on each frame's KL (the authors' kl_tolerance)
    mdn_rnn.py  M: an LSTM over [z_t, a_t] (family core shared/lstm_gers, split layout, forget gates)
                with a mixture-density head giving P(z_{t+1} | a_t, z_t, h_t), a mixture of K
                Gaussians per latent dimension; NLL and its backward pass, sampling at temperature
                tau, the step Jacobians of the LSTM state, and a plain one-step version; an optional
                death head (DoomTakeCover: P(done_{t+1})) with a masked loss and its plain version
    cmaes.py    CMA-ES with full covariance (Hansen's tutorial), ask/tell over a whole population,
                and a plain tell that forms each update sample by sample

The controller C (a linear map from [z, h] to actions), the environments and the training
schedules belong to the stubs: world-models-carracing trains C on the real task with z alone and
with [z, h]; world-models-vizdoom-dream trains C inside M's dream at several temperatures.
"""

# The command-line flags of V and M that both stubs train the same way: name -> (low, high, help),
# the table cli.int_flags reads (each stub adds its own data, controller and test flags)
VM_FLAGS = dict(z_dim=(2, 64, "latent size of V"), vae_hidden=(4, 1024, "hidden units of V (each way)"),
                vae_steps=(1, 100_000, "Adam steps of V (minibatches of 64 frames)"),
                m_hidden=(2, 512, "LSTM cells of M"), mixtures=(1, 20, "Gaussians per latent in M's head"),
                m_steps=(1, 100_000, "Adam steps of M (32 windows each)"),
                window=(2, 500, "steps per training window of M"))
