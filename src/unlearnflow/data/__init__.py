"""The synthetic intra-entity unlearning benchmark: records, generators, red team."""
