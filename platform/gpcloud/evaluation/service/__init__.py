"""The evaluation's services: committees (committees.py), the verifiable draw (draws.py, its
pool in eligibility.py) and the drawn experts' seats (seats.py)."""

from gpcloud.evaluation.service import committees, draws, seats

__all__ = ["committees", "draws", "seats"]
