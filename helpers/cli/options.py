"""Option types the command lines share."""

import argparse


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1, or a message that says what was wrong."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value
