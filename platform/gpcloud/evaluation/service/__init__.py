"""The evaluation's services: committees (committees.py), the verifiable draw (draws.py, its
pool in eligibility.py) and the drawn experts' seats (seats.py); then the evaluation itself:
opening it (evaluations.py), check-in (checkin.py), the reviews (reviews.py), scores
(scores.py), requests to bidders (bidders.py), the engine's input (engine.py) and the report
(reports.py)."""

from gpcloud.evaluation.service import committees, draws, seats

__all__ = ["committees", "draws", "seats"]
