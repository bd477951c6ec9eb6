r"""A scalar reverse-mode automatic-differentiation engine (chapter "The chain rule").

Each :class:`Value` holds a number, the Values it was computed from (its *parents*) and the
*local derivatives* :math:`\partial\,\mathrm{out}/\partial\,\mathrm{parent}`, recorded during the
forward computation.  :meth:`Value.backward` visits the graph in reverse topological order and
applies the chain rule at every node,

.. math:: \bar{p} \mathrel{+}= \frac{\partial\,\mathrm{out}}{\partial p}\,\overline{\mathrm{out}},

accumulating with ``+=`` so that a Value used several times (a fan-out) receives the sum of all
its contributions.  The graph is walked iteratively, so deep graphs never hit Python's recursion
limit.  Conventions: ReLU'(0) = 0; ``max`` with a tie routes the gradient to its first argument.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np

from .activations import sigmoid as _array_sigmoid
from .errors import DomainError, ShapeError, as_array, check_callable, reraise_as

Number = int | float
_EXP_MAX = math.log(np.finfo(np.float64).max)  # about 709.78: e^x beyond it is not a float64


class Value:
    """One scalar node of a computational graph.

    Parameters
    ----------
    data : the forward value (a finite real number).
    label : optional name shown when the graph is drawn (e.g. ``"x1"``).

    Attributes
    ----------
    data : float, the forward value.
    grad : float, :math:`\\partial f/\\partial\\,\\mathrm{self}` after ``f.backward()``.
    parents : tuple of the Values this one was computed from (empty for a leaf).
    local_grads : tuple of floats, :math:`\\partial\\,\\mathrm{self}/\\partial\\,\\mathrm{parent}`.
    op : str, the operation that produced it (``""`` for a leaf).
    """

    __slots__ = ("data", "grad", "parents", "local_grads", "op", "label")

    def __init__(
        self,
        data: Number,
        label: str = "",
        *,
        parents: tuple[Value, ...] = (),
        local_grads: tuple[float, ...] = (),
        op: str = "",
    ) -> None:
        if isinstance(data, Value):
            raise ShapeError("Value: data must be a number, not a Value")
        if isinstance(data, bool | np.bool_ | complex | str | bytes):
            raise ShapeError(f"Value: data must be a real number (got {type(data).__name__})")
        if not isinstance(label, str):
            raise ShapeError(f"Value: label must be a string (got {type(label).__name__})")
        try:
            data = float(data)
        except (TypeError, ValueError):
            raise ShapeError(f"Value: data must be a real number (got {type(data).__name__})") from None
        if not math.isfinite(data):
            raise ShapeError(f"Value: data must be finite (got {data})")
        self.data = data
        self.grad = 0.0
        self.parents = parents
        self.local_grads = tuple(float(g) for g in local_grads)
        self.op = op
        self.label = label

    def __repr__(self) -> str:
        name = f"{self.label}, " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # ----------------------------------------------------------------- arithmetic
    def __add__(self, other: Value | Number) -> Value:
        other = _wrap(other)
        return Value(self.data + other.data, parents=(self, other), local_grads=(1.0, 1.0), op="+")

    def __radd__(self, other: Number) -> Value:
        return _wrap(other) + self

    def __mul__(self, other: Value | Number) -> Value:
        other = _wrap(other)
        return Value(self.data * other.data, parents=(self, other), local_grads=(other.data, self.data), op="*")

    def __rmul__(self, other: Number) -> Value:
        return _wrap(other) * self

    def __neg__(self) -> Value:
        return Value(-self.data, parents=(self,), local_grads=(-1.0,), op="neg")

    def __sub__(self, other: Value | Number) -> Value:
        other = _wrap(other)
        return Value(self.data - other.data, parents=(self, other), local_grads=(1.0, -1.0), op="-")

    def __rsub__(self, other: Number) -> Value:
        return _wrap(other) - self

    def __truediv__(self, other: Value | Number) -> Value:
        other = _wrap(other)
        if other.data == 0.0:
            raise ZeroDivisionError("Value.__truediv__: division by a Value whose data is 0")
        q = self.data / other.data
        return Value(q, parents=(self, other), local_grads=(1.0 / other.data, -q / other.data), op="/")

    def __rtruediv__(self, other: Number) -> Value:
        return _wrap(other) / self

    def __pow__(self, k: Number) -> Value:
        if isinstance(k, Value):
            raise ShapeError("Value.__pow__: the exponent must be a plain number (write exp(k * log(x)) instead)")
        k = float(k)
        if self.data == 0.0 and k < 1.0:
            raise ZeroDivisionError(f"Value.__pow__: 0 ** {k} has no finite derivative")
        if self.data < 0.0 and not k.is_integer():
            raise DomainError(f"Value.__pow__: a negative base ({self.data}) needs an integer exponent (got {k})")
        op = "1/x" if k == -1.0 else f"x^{k:g}"
        return Value(self.data**k, parents=(self,), local_grads=(k * self.data ** (k - 1.0),), op=op)

    # ----------------------------------------------------------------- functions
    def exp(self) -> Value:
        r""":math:`e^x`, local derivative :math:`e^x`."""
        if self.data > _EXP_MAX:
            raise DomainError(f"Value.exp: e^{self.data:g} overflows float64 (the argument must be <= {_EXP_MAX:.2f})")
        e = math.exp(self.data)
        return Value(e, parents=(self,), local_grads=(e,), op="exp")

    def log(self) -> Value:
        r""":math:`\ln x` for x > 0, local derivative :math:`1/x`."""
        if self.data <= 0.0:
            raise DomainError(f"Value.log: the argument must be positive (got {self.data})")
        return Value(math.log(self.data), parents=(self,), local_grads=(1.0 / self.data,), op="log")

    def sigmoid(self) -> Value:
        r""":math:`\sigma(x) = 1/(1+e^{-x})`, local derivative :math:`\sigma(x)(1-\sigma(x))`."""
        s = float(_array_sigmoid(np.array(self.data)))
        return Value(s, parents=(self,), local_grads=(s * (1.0 - s),), op="σ")

    def tanh(self) -> Value:
        r""":math:`\tanh x`, local derivative :math:`1-\tanh^2 x`."""
        t = math.tanh(self.data)
        return Value(t, parents=(self,), local_grads=(1.0 - t * t,), op="tanh")

    def relu(self) -> Value:
        r""":math:`\max(0, x)`, local derivative :math:`\mathbb{1}[x>0]` (0 at x = 0)."""
        return Value(max(self.data, 0.0), parents=(self,), local_grads=(1.0 if self.data > 0 else 0.0,), op="relu")

    def max(self, other: Value | Number) -> Value:
        """:math:`\\max(a, b)`: the gradient is routed to the larger input (to ``self`` on a tie)."""
        other = _wrap(other)
        first = self.data >= other.data
        return Value(
            max(self.data, other.data), parents=(self, other), local_grads=(float(first), float(not first)), op="max"
        )

    # ----------------------------------------------------------------- backward
    def backward(self, zero_grad: bool = True) -> None:
        r"""Fill ``.grad`` of every Value this one depends on with :math:`\partial\,\mathrm{self}/\partial v`.

        Parameters
        ----------
        zero_grad : True sets each ``.grad`` to this sweep's :math:`\partial\,\mathrm{self}/\partial v`
            (calling ``backward`` twice gives the same numbers); False adds it to what ``.grad`` held
            before (to sum the gradients of several outputs).  The sweep itself always starts from 0,
            and within it the contributions of a fan-out are summed with ``+=``.
        """
        order = topological_order(self)
        before = [0.0 if zero_grad else v.grad for v in order]
        for v in order:
            v.grad = 0.0
        self.grad = 1.0
        for v in reversed(order):
            for parent, local in zip(v.parents, v.local_grads, strict=True):
                parent.grad += local * v.grad
        for v, old in zip(order, before, strict=True):
            v.grad += old


def _wrap(x: Value | Number) -> Value:
    return x if isinstance(x, Value) else Value(x)


def vmax(a: Value | Number, b: Value | Number) -> Value:
    """``max(a, b)`` as a graph node (see :meth:`Value.max`)."""
    with reraise_as("vmax"):
        return _wrap(a).max(b)


def topological_order(root: Value) -> list[Value]:
    """Every Value ``root`` depends on, each after all of its parents (``root`` last).

    Iterative depth-first search, so a chain of 100 000 nodes is fine.
    """
    if not isinstance(root, Value):
        raise ShapeError(f"topological_order: root must be a Value (got {type(root).__name__})")
    order: list[Value] = []
    seen: set[int] = {id(root)}
    stack: list[tuple[Value, Iterable[Value]]] = [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        for p in parents:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append((p, iter(p.parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def value_and_grad(f: Callable[[np.ndarray], Value], x) -> tuple[float, np.ndarray]:
    r"""Evaluate a scalar function of an array with :class:`Value` leaves and return its gradient.

    .. math:: g_i = \partial f / \partial x_i \text{ by one reverse sweep}

    Parameters
    ----------
    f : callable receiving an object array of Values shaped like x and returning a Value
    x : ndarray, any shape

    Returns
    -------
    value : float; grad : ndarray, same shape as x
    """
    check_callable("value_and_grad", "f", f)
    x = as_array("value_and_grad", "x", x)
    leaves = np.empty(x.shape, dtype=object)
    for idx in np.ndindex(x.shape):
        leaves[idx] = Value(x[idx], label="x" + "".join(str(i) for i in idx))
    out = f(leaves)
    if not isinstance(out, Value):
        raise ShapeError(f"value_and_grad: f must return a Value (got {type(out).__name__})")
    out.backward()
    grad = np.array([leaf.grad for leaf in leaves.reshape(-1)], dtype=np.float64).reshape(x.shape)
    return out.data, grad
