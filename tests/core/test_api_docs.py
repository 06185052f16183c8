"""The API docs page works on a server with no internet: Swagger UI comes from touchbase itself."""

import re

from django.test import Client


def test_the_api_docs_load_their_scripts_from_touchbase_not_a_cdn(db, sam, client_for):
    page = client_for(sam).get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert sources and all(source.startswith("/static/") for source in sources), sources
    for source in sources:
        served = Client().get(source)  # static files need no login, like every other asset
        assert served.status_code == 200, source
        assert len(b"".join(served.streaming_content) if served.streaming else served.content) > 1000, source
