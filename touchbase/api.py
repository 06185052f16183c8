"""The JSON API, versioned in its path: each app's `api.py` router is mounted here."""

from ninja import NinjaAPI

api = NinjaAPI(title="touchbase", version="1", urls_namespace="api")
