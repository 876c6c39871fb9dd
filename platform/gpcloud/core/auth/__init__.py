"""Users, organisations, roles, passwords, tokens and the first-login rule."""
