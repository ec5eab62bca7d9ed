"""Practice files for the lessons, built by code so they can be reviewed and regenerated."""
from importlib import import_module

MODULES = ("iu03", "iu04", "iu05")


def all_files():
    """Every practice file name mapped to the function that builds its bytes."""
    files = {}
    for name in MODULES:
        files.update(import_module(f"{__name__}.{name}").FILES)
    return files
