"""Supervision (监管): procurement intentions and plans, their filing by finance departments,
and the views supervisors work from."""
