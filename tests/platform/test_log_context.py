"""Every log line of web and worker names the schema and a request id; a task queued by a
request logs under that request's id, in that municipality's schema."""

import re
import time

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.services import user_create
from tests.conftest import PASSWORD, VAR, unique

pytestmark = pytest.mark.live

LINE = re.compile(r"^\S+ \S+ (?P<level>[A-Z]+) schema=(?P<schema>\S+) request=(?P<request>\S+) ")


def lines_with(path, needle, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [line for line in path.read_text().splitlines() if needle in line]
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"no line with {needle} in {path.name}")


def get(live_stack, host: str, request_id: str) -> dict[str, str]:
    """GET / through the live web server; the response's headers."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", live_stack.port, timeout=20)
    connection.request("GET", "/", headers={"Host": host, "X-Request-ID": request_id})
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 200
    return dict(response.getheaders())


def test_the_request_id_and_schema_are_on_the_web_and_worker_lines(
    committed_db, live_stack, tenant_a
):
    request_id = unique("logtest") + "0000"
    # a page through the real web server
    assert get(live_stack, tenant_a.host, request_id)["X-Request-ID"] == request_id
    (access,) = lines_with(VAR / "logs" / "web.log", request_id)
    match = LINE.match(access)
    assert match, access
    assert match["schema"] == tenant_a.schema_name
    assert match["request"] == request_id
    assert " GET / 200 " in access

    # a request that queues a mail: the worker's lines carry its id and schema
    email = unique("log") + "@a.test"
    with schema_context(tenant_a.schema_name):
        user_create(email=email, password=PASSWORD)
    second = unique("logtest") + "1111"
    response = Client(HTTP_HOST=tenant_a.host, HTTP_X_REQUEST_ID=second).post(
        "/konto/password/reset/", {"email": email}
    )
    assert response["X-Request-ID"] == second
    live_stack.wait_for_mail(email)
    worker_lines = lines_with(VAR / "logs" / "worker.log", second)
    for line in worker_lines:
        match = LINE.match(line)
        assert match, line
        assert match["schema"] == tenant_a.schema_name, line


def test_a_forged_request_id_is_replaced(committed_db, live_stack, tenant_a):
    headers = get(live_stack, tenant_a.host, "bad id with spaces")
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
