"""An ASGI wrapper that refuses what the studio's own page would never send: a foreign Host or Origin, no token.

    app = Guard(app, hosts={"127.0.0.1:8765", ...}, token=None | "secret")

Host is checked against DNS rebinding (a page on evil.example resolving to 127.0.0.1), and an
Origin must be the page's own (http://<that Host>) against cross-site requests. With --host
the studio is reached by names it cannot know (its LAN address), so any Host is taken there and
the token does what the Host check did: it is required on every request, taken from an
`Authorization: Bearer` header, a `?token=` query (which also sets a cookie, so the page and
its event streams carry it), or that cookie. Refusals are the one-line JSON error, 4xx.
"""
import json
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

COOKIE = "dreamanim_studio"
HEADERS = [  # every response: no framing, no sniffing, nothing loaded from elsewhere
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
                                 b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
]


class Guard:
    def __init__(self, app, hosts: set, token=None):
        self.app, self.hosts, self.token = app, {h.lower() for h in hosts}, token

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "").lower()
        if host not in self.hosts and (self.token is None or not host):
            return await _refuse(send, 400, f"request: Host {host!r} is not this studio's",
                                 f"open the studio at http://{sorted(self.hosts)[0]}/")
        origin = headers.get("origin")
        if origin is not None and origin.lower() != f"http://{host}":
            return await _refuse(send, 403, f"request: Origin {origin!r} is not this studio's",
                                 "the studio answers only its own page and tools that send no Origin")
        set_cookie = None
        if self.token is not None:
            given = _token(headers, scope.get("query_string", b""))
            if given is None or not secrets.compare_digest(given[0].encode(), self.token.encode()):
                return await _refuse(send, 403, "request: no valid token",
                                     "open the URL with ?token=... that the studio printed at start")
            if given[1] == "query":
                set_cookie = (f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict").encode()

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + HEADERS + (
                    [(b"set-cookie", set_cookie)] if set_cookie else [])
            await send(message)
        return await self.app(scope, receive, send_with_headers)


def _token(headers: dict, query: bytes):
    """(the token a request carries, where it came from), or None."""
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip(), "header"
    values = parse_qs(query.decode("latin-1")).get("token")
    if values:
        return values[0], "query"
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header is no token
        return None
    return (cookie[COOKIE].value, "cookie") if COOKIE in cookie else None


async def _refuse(send, status: int, what: str, fix: str) -> None:
    body = json.dumps({"error": f"dreamanim: error: {what} ({fix})"}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
                + HEADERS})
    await send({"type": "http.response.body", "body": body})
