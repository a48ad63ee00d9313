"""HTTP helpers of the endpoint and push tests: one request, answers as plain rows."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no env proxies


def http(
    url: str,
    *,
    query: str | None = None,
    method: str = "GET",
    accept: str = "application/sparql-results+json",
    body: bytes | None = None,
    content_type: str | None = None,
) -> tuple[int, str, bytes]:
    """(status, content type, body) of one request; HTTP errors are answers too."""
    headers = {"Accept": accept}
    if query is not None and method == "GET":
        url += "?" + urllib.parse.urlencode({"query": query})
    elif query is not None:
        body = urllib.parse.urlencode({"query": query}).encode()
        content_type = "application/x-www-form-urlencoded"
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with _DIRECT.open(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def rows(data: bytes) -> list[dict[str, str]]:
    """SPARQL JSON results as plain {variable: value} rows."""
    bindings = json.loads(data)["results"]["bindings"]
    return [{k: v["value"] for k, v in b.items()} for b in bindings]
