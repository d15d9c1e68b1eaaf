"""Per-parameter-group learning rates (``lr={group: value}``): against the reference loops of
tests/reference.py with a per-parameter lr vector, bit for bit the scalar run when every group
has the same lr, as sweep axes, and every bad input named."""
from __future__ import annotations

import numpy as np
import pytest
import reference

import fastdescent as fd
from fastdescent.optim.record import Hyper, Rule

M = fd.models.shallow_net(width=3, inputs=2, examples=8, bias=True)
P0 = fd.models.shallow_init(M, seed=4, n=4) * 0.8
N_IN = M.groups["input"][1]


def _lr_vector(a, b):
    v = np.full(M.n_params, b, dtype=float)
    v[:N_IN] = a
    return v


@pytest.mark.parametrize("name, hyper", [("gd", {}), ("momentum", {"beta": 0.8}),
                                         ("nesterov", {"beta": 0.7}),
                                         ("adam", {"beta": 0.9, "gamma": 0.99, "eps": 1e-8})])
def test_group_lr_matches_reference_with_per_parameter_lr(name, hyper):
    """Each group's parameters move with their own lr: the reference loop with ``lr`` a (P,)
    vector (its formulas broadcast) - the look-ahead of Nesterov included."""
    a = np.array([0.01, 0.05, 0.1, 0.02])
    b = np.array([0.08, 0.01, 0.05, 0.03])
    opt = fd.optim.get_rule(name)(lr={"input": a, "output": b}, **hyper)
    res = fd.run(M, opt, P0, steps=15, progress=False, record_every=1)
    assert not res.diverged.any()
    for i in range(4):
        path = reference.reference_path(M, name, P0[i], 15, lr=_lr_vector(a[i], b[i]), **hyper)
        np.testing.assert_allclose(res.path[i], path, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["gd", "momentum", "nesterov", "adam", "lion", "rmsprop"])
def test_same_lr_in_every_group_is_the_scalar_run_bit_for_bit(name):
    lr = np.array([0.01, 0.03, 0.1, 0.002])
    rule = fd.optim.get_rule(name)
    one = fd.run(M, rule(lr=lr), P0, steps=20, progress=False)
    grouped = fd.run(M, rule(lr={"input": lr, "output": lr}), P0, steps=20, progress=False)
    assert np.array_equal(one.params, grouped.params)
    assert np.array_equal(one.loss, grouped.loss)


def test_schedule_scales_every_group():
    sched = fd.optim.schedules.cosine(20)
    res = fd.run(M, fd.optim.gd(lr={"input": 0.05, "output": 0.2}), P0[0], steps=20,
                 schedule=sched, progress=False, record_every=1)
    path = reference.reference_path(M, "gd", P0[0], 20, schedule=sched,
                                    lr=_lr_vector(0.05, 0.2))
    np.testing.assert_allclose(res.path[0], path, rtol=1e-10, atol=1e-12)


def test_sweep_axes_per_group():
    a = np.geomspace(0.01, 1, 3)
    b = np.geomspace(0.02, 2, 4)
    ds = fd.sweep(M, fd.optim.gd(), P0[:1], 10, lr={"input": a, "output": b}, progress=False)
    assert dict(ds.sizes)["lr_input"] == 3 and dict(ds.sizes)["lr_output"] == 4
    assert '"lr": {"input"' in ds.attrs["optimizer"]
    one = fd.run(M, fd.optim.gd(lr={"input": a[2], "output": b[1]}), P0[0], steps=10,
                 progress=False)
    assert np.array_equal(ds.params.isel(lr_input=2, lr_output=1, init=0).values, one.params[0])
    # a scalar group value is fixed, the other group an axis
    ds2 = fd.sweep(M, fd.optim.gd(), P0[:1], 10, lr={"input": 0.1, "output": b}, progress=False)
    assert "lr_input" not in ds2.sizes and dict(ds2.sizes)["lr_output"] == 4


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match=r"gd: lr\['input'\] must be in \[0, inf\)"):
        fd.optim.gd(lr={"input": -1.0, "output": 1.0})
    with pytest.raises(ValueError, match="must name exactly the model's groups"):
        fd.run(M, fd.optim.gd(lr={"inp": 0.1, "output": 0.1}), P0[0], steps=2, progress=False)
    with pytest.raises(ValueError, match="must name exactly the model's groups"):
        fd.run(M, fd.optim.gd(lr={"input": 0.1}), P0[0], steps=2, progress=False)
    with pytest.raises(ValueError, match="model declares no parameter groups"):
        fd.run(fd.models.gabor(), fd.optim.gd(lr={"a": 0.1}), [0.5, 0.5], steps=2,
               progress=False)
    with pytest.raises(ValueError, match="only lr may be given per group, not beta"):
        fd.optim.momentum(beta={"input": 0.9})
    with pytest.raises(ValueError, match="line search"):
        fd.optim.armijo(lr={"input": 1.0, "output": 1.0})
    coupled = fd.optim.gd().rule.derive(name="coupled_gd", separable=False)
    with pytest.raises(ValueError, match="couples parameters"):
        coupled(lr={"input": 0.1, "output": 0.1})
    with pytest.raises(ValueError, match="has 3 values but there are 4 trajectories"):
        fd.run(M, fd.optim.gd(lr={"input": [0.1] * 3, "output": 0.1}), P0, steps=2,
               progress=False)
    with pytest.raises(ValueError, match="groups must cover all"):
        fd.models.Model("m", fd.models.ModelKernels(), np.zeros((1, 1)), np.zeros((1, 1)),
                        np.zeros(0), ("a", "b"), ((0, 1), (0, 1)), groups={"x": (0, 1)})


def test_user_rule_with_lr_takes_groups():
    """Any separable rule whose hyperparameter is lr: a user rule (not registered)."""
    from numba import njit

    @njit(error_model="numpy")
    def half_step(phi, g, state, hyper, t, scale):
        for k in range(phi.shape[0]):
            for b in range(phi.shape[1]):
                phi[k, b] -= 0.5 * hyper[0, b] * scale * g[k, b]

    rule = Rule("half_gd", (Hyper("lr", 0.1),), 0, half_step)
    res = fd.run(M, rule(lr={"input": 0.1, "output": 0.4}), P0[0], steps=8, progress=False)
    ref = reference.reference_path(M, "gd", P0[0], 8, lr=0.5 * _lr_vector(0.1, 0.4))
    np.testing.assert_allclose(res.params[0], ref[-1], rtol=1e-10, atol=1e-12)


def test_experiment_file_takes_group_lr_axes_and_a_criterion(tmp_path):
    """An experiment file: lr per group as two axes, the loss-ratio criterion."""
    import tomllib

    from fastdescent.cli.experiment import from_dict
    from fastdescent.cli.errors import UsageError

    doc = tomllib.loads("""
        [model]
        name = "shallow_net"
        width = 3
        inputs = 2
        examples = 8
        [optimizer]
        name = "gd"
        lr = {input = "0.01:1:3:log", output = [0.02, 0.2]}
        [start]
        points = [[0.1, -0.2, 0.3, 0.1, -0.1, 0.2, 0.5, -0.5, 0.4]]
        [run]
        steps = 12
        reduction = "mean"
        criterion = {name = "loss_ratio", k = 5, threshold = 0.9}
        [output]
        path = "out.nc"
        """)
    exp = from_dict(doc, source="t.toml", base=tmp_path)
    args, kw = exp.plan_args()
    ds = fd.sweep(*args, **kw, progress=False)
    assert dict(ds.sizes)["lr_input"] == 3 and dict(ds.sizes)["lr_output"] == 2
    assert '"k": 5' in ds.attrs["settings"] and "loss_ratio" in ds.data_vars
    bad = dict(doc, optimizer={"name": "gd", "lr": {"input": -1, "output": 0.1}})
    with pytest.raises(UsageError, match=r"\[optimizer\]\.lr"):
        from_dict(bad, source="t.toml", base=tmp_path)
    bad = dict(doc, run={"steps": 12, "criterion": {"name": "loss_ratio", "k": 50}})
    with pytest.raises(UsageError, match="averages more steps"):
        from_dict(bad, source="t.toml", base=tmp_path)
