"""The model store: a manifest of known models and the command that prepares them."""
