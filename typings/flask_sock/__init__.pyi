# The part of flask-sock 0.7 that nevr_events uses; flask-sock ships no types.
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask

class Sock:
    app: Flask | None
    bp: Blueprint | None
    def __init__(self, app: Flask | None = None) -> None: ...
    def init_app(self, app: Flask) -> None: ...
    # The decorator registers the route and returns None, not the function.
    def route(
        self, path: str, bp: Blueprint | None = None, **kwargs: Any
    ) -> Callable[[Callable[..., object]], None]: ...
