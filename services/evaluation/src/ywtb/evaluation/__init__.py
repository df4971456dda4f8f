"""好差评: the evaluation service."""
