"""wellness: guided practice, anxiety check-ins and care dashboards for rehab clinics."""

__version__ = "0.1.0"
