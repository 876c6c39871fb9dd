"""gpcloud plugin om_service."""
