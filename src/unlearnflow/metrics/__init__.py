"""Unlearning metrics, each as its paper defines it (TOFU, MUSE, MIA literature)."""
