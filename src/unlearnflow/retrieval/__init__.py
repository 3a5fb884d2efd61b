"""The retrieval track: an embedding model fine-tuned contrastively to retrieve
documents for queries; a set of documents is then unlearned (docs/tasks.md)."""
