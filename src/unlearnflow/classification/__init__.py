"""The classification track: an embedding model with an MLP head learns to classify
texts; one class is then unlearned (docs/tasks.md)."""
