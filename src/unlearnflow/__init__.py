"""unlearnflow: machine-unlearning experiments on language models, end to end."""

__version__ = "0.1.0"
