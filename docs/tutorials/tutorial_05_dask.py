"""
Scaling out with Dask
=====================

``fd.sweep(..., scheduler=...)`` splits a sweep into tiles that run the same compiled engine
on the workers of a Dask cluster; the result is bitwise identical to the local run. Here the
"cluster" is a small in-process one, so that this page runs anywhere; on a real cluster pass
its address (``scheduler="tcp://host:8786"``) or a :class:`distributed.Client`. See
:doc:`/distributed` for the set-up and the fault behaviour.
"""
import numpy as np
from distributed import Client, LocalCluster

import fastdescent as fd

model = fd.models.gabor()
starts = fd.grid(model, 24)
lrs = np.geomspace(1e-3, 0.3, 4)

local = fd.sweep(model, fd.optim.adam(), starts, 100, lr=lrs, progress=False)

with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                  dashboard_address=None) as cluster, Client(cluster) as client:
    remote = fd.sweep(model, fd.optim.adam(), starts, 100, lr=lrs, scheduler=client,
                      progress=False)

# %%
# The two results agree bit for bit:
for v in ("params", "loss", "status", "steps"):
    a, b = local[v].values, remote[v].values
    print(v, "identical:", np.array_equal(a, b, equal_nan=True))
print(remote.sizes)
