"""Family core: convolutional nets with max-pooling, numpy only (Cireşan et al. 2011-2012 style).

- ``layers``: convolution ("valid", stride 1), non-overlapping max-pooling, fully connected
  layers and the scaled tanh, each as ``forward -> (out, cache)`` and a hand-written
  ``backward(dout, cache)``; the fast versions use strided views (im2col) and one GEMM, and
  ``*_loop`` versions beside them spell out the sums, so a test can check that the two agree.
- ``column``: a stack of those layers ("1x29x29-20C4-MP2-40C5-MP3-150N-10N"), its softmax
  cross-entropy loss and gradients keyed like its parameters.

Arrays are channels-last: images and feature maps are (B, H, W, C), convolution kernels
(k, k, C_in, C_out). Used by ``mcdnn-image-bench`` (and meant for ``em-segmentation-isbi``).
"""
