"""wellness: guided practice, anxiety check-ins and care dashboards for rehab clinics."""

import os

# The suggestion engine runs small numpy matrix products per request. OpenBLAS (and the other
# BLAS builds numpy may use) start one thread per core for them; on a busy 2-core server those
# threads fight each other and the event loop: the clinic fit took 2.7 s with threads against
# 78 ms without. The variables are read when numpy is first imported, so they are set here,
# before any module of the package can import it. An operator's own setting wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

__version__ = "0.1.0"
