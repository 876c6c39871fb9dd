"""Time: leader leases (lease.py) and the scheduler that runs what falls due (service.py)."""
