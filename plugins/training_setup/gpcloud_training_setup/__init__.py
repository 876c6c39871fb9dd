"""gpcloud plugin training_setup."""
