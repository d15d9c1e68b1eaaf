"""fastdescent's experiments: the lecture figures (:mod:`experiments.lecture`), the grid
studies (:mod:`experiments.research`) and example experiment files (``experiments/configs``)."""
