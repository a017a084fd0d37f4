"""Company linkage: synthetic exports with ground truth, evaluation, and the Splink model."""
