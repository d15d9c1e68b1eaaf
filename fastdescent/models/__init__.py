"""The model catalogue: losses with analytic gradients and Hessians as njit kernels.

Every factory returns a :class:`~fastdescent.models.base.Model`; ``named_models`` maps registry
names to factories (used by the command line and experiment files).
"""
from .base import KnownPoint, Model, ModelKernels, custom_model
from .classic import beale, cosine_quadratic, himmelblau, quadratic, rastrigin, rosenbrock, saddle
from .formula import FormulaModel, formula
from .lecture import (adam_demo, bumps_1d, convex_1d, gabor, line_search_demo,
                      linear_regression_1d, multimodal_1d, plateau_1d, polynomial_regression)
from .shallow import shallow_init, shallow_net
from .problems import (binary_classification, multiclass_classification,
                       multivariate_regression, two_layer_net, univariate_regression)

named_models = {
    "linear_regression_1d": linear_regression_1d,
    "gabor": gabor,
    "adam_demo": adam_demo,
    "line_search_demo": line_search_demo,
    "convex_1d": convex_1d,
    "multimodal_1d": multimodal_1d,
    "plateau_1d": plateau_1d,
    "univariate_regression": univariate_regression,
    "multivariate_regression": multivariate_regression,
    "binary_classification": binary_classification,
    "multiclass_classification": multiclass_classification,
    "two_layer_net": two_layer_net,
    "shallow_net": shallow_net,
    "quadratic": quadratic,
    "rosenbrock": rosenbrock,
    "himmelblau": himmelblau,
    "rastrigin": rastrigin,
    "beale": beale,
    "saddle": saddle,
    "cosine_quadratic": cosine_quadratic,
}


def get_model(name: str, **kwargs) -> Model:
    """Build a registered model by name (``get_model("quadratic", eigenvalues=[1, 50])``).

    Parameters
    ----------
    name : str
        A key of :data:`named_models`.
    **kwargs
        The factory's arguments.

    Returns
    -------
    Model

    Raises
    ------
    ValueError
        If ``name`` is not a registered model.

    Examples
    --------
    >>> import fastdescent as fd
    >>> m = fd.models.get_model("quadratic", eigenvalues=[1, 50])
    >>> m.hessian([0.0, 0.0])
    array([[ 1.,  0.],
           [ 0., 50.]])
    >>> fd.models.get_model("quadratc")
    Traceback (most recent call last):
        ...
    ValueError: unknown model 'quadratc'; valid models: linear_regression_1d, gabor, ...
    """
    if name not in named_models:
        raise ValueError(f"unknown model {name!r}; valid models: {', '.join(named_models)}")
    return named_models[name](**kwargs)


__all__ = ["Model", "ModelKernels", "KnownPoint", "custom_model", "named_models", "get_model",
           *named_models, "polynomial_regression", "bumps_1d", "shallow_init", "formula", "FormulaModel"]
