"""dlmath: the small, tested package behind the book "The mathematics of backpropagation".

Pure functions, examples as columns; every ``*_backward`` is the exact vector-Jacobian product of
its ``*_forward`` and is checked against finite differences in ``tests/``.
"""

from .activations import (
    ActivationCache,
    relu_backward,
    relu_forward,
    sigmoid,
    sigmoid_backward,
    sigmoid_forward,
    softmax,
    tanh_backward,
    tanh_forward,
)
from .errors import ShapeError
from .gradcheck import GradCheck, gradient_check, numerical_gradient, numerical_jacobian, relative_error
from .linear import LinearCache, linear_backward, linear_forward
from .losses import binary_cross_entropy, binary_cross_entropy_with_logits, softmax_cross_entropy, squared_error

__all__ = [
    "ActivationCache",
    "GradCheck",
    "LinearCache",
    "ShapeError",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "gradient_check",
    "linear_backward",
    "linear_forward",
    "numerical_gradient",
    "numerical_jacobian",
    "relative_error",
    "relu_backward",
    "relu_forward",
    "sigmoid",
    "sigmoid_backward",
    "sigmoid_forward",
    "softmax",
    "softmax_cross_entropy",
    "squared_error",
    "tanh_backward",
    "tanh_forward",
]
__version__ = "0.1.0"
