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
from .conv import (
    Conv2dCache,
    MaxPool2dCache,
    conv2d_backward,
    conv2d_forward,
    conv_output_size,
    maxpool2d_backward,
    maxpool2d_forward,
)
from .deep import (
    LayerCache,
    LayerShapes,
    check_params,
    dimension_table,
    format_dimension_table,
    init_params,
    model_backward,
    model_forward,
    train,
    update_params,
)
from .errors import ShapeError
from .gradcheck import GradCheck, gradient_check, numerical_gradient, numerical_jacobian, relative_error
from .jacobian import (
    LinearJacobians,
    chain_flops,
    elementwise_jacobian,
    linear_jacobians,
    matmul_flops,
    softmax_jacobian,
)
from .linear import LinearCache, linear_backward, linear_forward
from .losses import binary_cross_entropy, binary_cross_entropy_with_logits, softmax_cross_entropy, squared_error
from .pool import (
    AvgPool2dCache,
    L2Pool2dCache,
    avgpool2d_backward,
    avgpool2d_forward,
    l2pool2d_backward,
    l2pool2d_forward,
)
from .scalar import Value, topological_order, value_and_grad, vmax

__all__ = [
    "ActivationCache",
    "AvgPool2dCache",
    "Conv2dCache",
    "GradCheck",
    "L2Pool2dCache",
    "LayerCache",
    "LayerShapes",
    "LinearCache",
    "LinearJacobians",
    "MaxPool2dCache",
    "ShapeError",
    "Value",
    "avgpool2d_backward",
    "avgpool2d_forward",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "chain_flops",
    "check_params",
    "conv2d_backward",
    "conv2d_forward",
    "conv_output_size",
    "dimension_table",
    "elementwise_jacobian",
    "format_dimension_table",
    "gradient_check",
    "init_params",
    "l2pool2d_backward",
    "l2pool2d_forward",
    "linear_backward",
    "linear_forward",
    "linear_jacobians",
    "matmul_flops",
    "maxpool2d_backward",
    "maxpool2d_forward",
    "model_backward",
    "model_forward",
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
    "softmax_jacobian",
    "squared_error",
    "tanh_backward",
    "tanh_forward",
    "topological_order",
    "train",
    "update_params",
    "value_and_grad",
    "vmax",
]
__version__ = "0.1.0"
