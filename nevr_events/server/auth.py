"""JWT (HMAC) authentication shared by the stream and the read APIs."""

from __future__ import annotations

import time
from typing import Any

import jwt
from flask import Request, current_app, g, request
from werkzeug.exceptions import Unauthorized

from nevr_events.exceptions import AuthError

# Pinned: a token signed with any other algorithm (or "none") is refused.
ALGORITHM = "HS256"
# user_id of streams and reads under AUTH=none without an X-User-ID header.
ANONYMOUS = "anonymous"


def token_from(req: Request) -> str | None:
    """The bearer token from ``Authorization: Bearer <t>``, else from ``?token=<t>``."""
    header = req.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return req.args.get("token") or None


def verify_token(token: str, secret: str) -> dict[str, Any]:
    """The token's claims; ``exp`` and ``nbf`` are enforced when present."""
    try:
        return jwt.decode(token, secret, algorithms=[ALGORITHM], options={"verify_aud": False})
    except jwt.ExpiredSignatureError:
        raise AuthError("token has expired") from None
    except jwt.ImmatureSignatureError:
        raise AuthError("token is not valid yet (nbf)") from None
    except jwt.InvalidAlgorithmError:
        raise AuthError(f"token must be signed with {ALGORITHM}") from None
    except jwt.InvalidSignatureError:
        raise AuthError("token signature is invalid") from None
    except jwt.InvalidTokenError as exc:
        raise AuthError(f"invalid token: {exc}") from None


def mint_token(secret: str, subject: str, ttl: float | None = 3600.0, **claims: Any) -> str:
    """A signed token for ``subject``; ``ttl`` None means it never expires."""
    now = int(time.time())
    payload: dict[str, Any] = {"sub": subject, "iat": now, **claims}
    if ttl is not None:
        payload["exp"] = now + int(ttl)
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def authenticate() -> None:
    """``before_request`` hook: 401 (JSON) unless the request carries a valid token.

    Under ``AUTH=none`` every request passes and tokens are not looked at.
    """
    if request.method == "OPTIONS":  # CORS preflight carries no credentials
        return
    if current_app.config["SETTINGS"].auth == "none":
        # Closed networks only: no token; the caller names itself, or is anonymous.
        g.claims = {"sub": request.headers.get("X-User-ID") or ANONYMOUS}
        return
    token = token_from(request)
    if not token:
        raise Unauthorized("missing token: send Authorization: Bearer <token> or ?token=<token>")
    try:
        g.claims = verify_token(token, current_app.config["SETTINGS"].jwt_secret)
    except AuthError as exc:
        raise Unauthorized(str(exc)) from None
