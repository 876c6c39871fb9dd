"""The working-day calendar: holidays and make-up working days, and deadlines computed on it."""
