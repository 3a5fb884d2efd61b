"""Unlearning methods: one file each, and the registry that names them."""

from __future__ import annotations

import math
from dataclasses import fields
from typing import get_type_hints

from .base import Method
from .dsu import DualSignedUpdate
from .ga import GradientAscent
from .gd import GradientDifference
from .idk_dpo import IdkPreferenceOptimization
from .iwap import InfluencePruning
from .npo import NegativePreferenceOptimization
from .retain_ft import RetainFinetune
from .rmu import RepresentationMisdirection
from .satimp import SaturationImportance
from .simnpo import SimpleNPO
from .sure import SaliencyUnlearning
from .task_vector import TaskVector
from .trou import TrustRegionOrthogonal
from .undial import Undial
from .wga import WeightedGradientAscent

METHODS: dict[str, type[Method]] = {
    method.name: method
    for method in (
        GradientAscent,
        GradientDifference,
        NegativePreferenceOptimization,
        RetainFinetune,
        SimpleNPO,
        WeightedGradientAscent,
        SaturationImportance,
        Undial,
        TaskVector,
        IdkPreferenceOptimization,
        RepresentationMisdirection,
        DualSignedUpdate,
        InfluencePruning,
        TrustRegionOrthogonal,
        SaliencyUnlearning,
    )
}


def make_method(name: str, **hyperparameters) -> Method:
    """The method `name` with `hyperparameters`; an unknown name lists the known ones."""
    if name not in METHODS:
        raise ValueError(f"unknown unlearning method {name!r}; known: {', '.join(METHODS)}")
    method = METHODS[name]
    known = {field.name for field in fields(method)}
    unknown = set(hyperparameters) - known
    if unknown:
        raise ValueError(
            f"method {name!r} has no hyperparameter {', '.join(sorted(unknown))};"
            f" it has: {', '.join(sorted(known)) or 'none'}"
        )
    types = get_type_hints(method)
    for key, value in hyperparameters.items():
        problem = value_problem(value, types[key], key in method.positive)
        if problem:
            raise ValueError(f"{name}: {key} {problem}")
    return method(**hyperparameters)


def value_problem(value, wanted: type, positive: bool) -> str | None:
    """What is wrong with `value` for a hyperparameter of type `wanted`, if anything:
    the type (a YAML `1e-1` is a string), a number that is not finite or below 0, and 0
    where the method needs a `positive` value."""
    numeric = wanted in (int, float)
    accepted = (int, float) if wanted is float else wanted
    if isinstance(value, bool) and numeric or not isinstance(value, accepted):
        hint = " (YAML reads 1e-1 as a string: write 1.0e-1)" if isinstance(value, str) else ""
        return f"must be a {wanted.__name__}, not {value!r}{hint}"
    if numeric and not math.isfinite(value):
        return f"must be a finite number, not {value!r}"
    if numeric and (value < 0 or positive and value == 0):
        return f"must be {'above' if positive else 'at least'} 0, not {value!r}"
    return None


def describe_methods() -> list[dict]:
    """Every registered method with its paper and hyperparameter defaults."""
    return [
        {
            "name": name,
            "paper": method.paper,
            "hyperparameters": {field.name: field.default for field in fields(method)},
        }
        for name, method in METHODS.items()
    ]
