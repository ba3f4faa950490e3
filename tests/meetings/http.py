"""Real HTTP to the live server, as a browser would, with the tenant's Host header (Python
cannot resolve *.localhost): GET a page, POST its form back with the CSRF cookie and token."""

from __future__ import annotations

import http.client
import re
import urllib.parse


def _request(url: str, method: str = "GET", body: bytes = b"", headers=None):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=30)
    connection.request(
        method, parts.path, body=body, headers={"Host": parts.netloc, **(headers or {})}
    )
    response = connection.getresponse()
    return response.status, response.getheader("Set-Cookie") or "", response.read().decode()


def get(url: str) -> str:
    return _request(url)[2]


def post_form(url: str, data: dict[str, str] | None = None) -> str:
    _, cookie, html = _request(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **(data or {})}).encode()
    status, _, html = _request(
        url,
        "POST",
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": url,
        },
    )
    assert status == 200, status
    return html
