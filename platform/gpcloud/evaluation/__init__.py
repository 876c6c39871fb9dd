"""The evaluation (评标 / 评审): the committee, the expert draw, scoring and the report."""
