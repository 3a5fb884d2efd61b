"""Logging for the workflow's scripts: to the rule's log file and to the console."""

from __future__ import annotations

import contextlib
import logging
import sys
import warnings
from collections.abc import Iterator


@contextlib.contextmanager
def logging_to(path: str) -> Iterator[logging.Logger]:
    """Send INFO and above to `path` and stderr; an uncaught error is logged, then raised."""
    handlers = [logging.FileHandler(path, mode="w"), logging.StreamHandler(sys.stderr)]
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    for noisy in ("httpx", "openai", "urllib3"):  # request lines would add nothing useful
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # peft reads transformers' deprecated `is_gradient_checkpointing` on every adapter.
    warnings.filterwarnings("ignore", "`is_gradient_checkpointing` is deprecated", FutureWarning)
    logger = logging.getLogger("unlearnflow")
    try:
        yield logger
    except Exception as error:
        logger.error("%s: %s", type(error).__name__, error)
        raise
