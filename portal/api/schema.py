"""OpenAPI generation: which endpoints we publish, and the answers every operation may give.

`GuildhallAutoSchema` documents, on every operation, the 4xx answers it can give in the one error
format (`ErrorSerializer`), and on public GETs the conditional-GET headers and their 304.
"""

from drf_spectacular.openapi import AutoSchema

from portal.api.serializers import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input (a query parameter or the body); `extra.fields` names the fields.",
    "401": "No valid credentials: a missing, unknown or revoked token (`Authorization: Bearer …`).",
    "403": "Authenticated, but the token lacks the scope (or the person the permission) this needs.",
    "404": "No such resource, or no such page of results.",
    "409": "The request conflicts with the current state (e.g. a ticket already checked in).",
    "429": "Too many requests: `extra.retry_after` (and the Retry-After header) say how many seconds to wait.",
}


def only_public_api(endpoints):
    """Keep /api/v1/ in the schema; Wagtail's admin API and the rest are not ours to publish."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


class GuildhallAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, plus every error an operation may answer, documented."""

    # Views may list further statuses they raise, e.g. `extra_error_statuses = ("409",)`.
    def _error_statuses(self, operation) -> list[str]:
        statuses = ["401", "404", "429"]  # a bad token, a missing object or page, the throttle: anywhere
        parameters = operation.get("parameters", [])
        if "requestBody" in operation or any(parameter.get("in") == "query" for parameter in parameters):
            statuses.append("400")
        if {} not in operation.get("security", [{}]):
            statuses.append("403")
        statuses.extend(getattr(self.view, "extra_error_statuses", ()))
        return sorted(set(statuses))

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter.get("in") == "query" and schema.get("type") == "string" and "enum" not in schema:
                # The API answers 400 to a blank value (portal/api/filters.py), and Django's forms to a NUL.
                schema.setdefault("minLength", 1)
                schema.setdefault("pattern", "^[^\\x00]+$")
        responses = operation.setdefault("responses", {})
        for status in self._error_statuses(operation):
            if status not in responses:
                response = self._get_response_for_code(ErrorSerializer, status, media_types=["application/json"])
                response["description"] = ERROR_DESCRIPTIONS.get(status, response.get("description", ""))
                responses[status] = response
        if method == "GET" and getattr(self.view, "public_endpoint", False):
            operation.setdefault("parameters", []).append(
                {
                    "in": "header",
                    "name": "If-None-Match",
                    "schema": {"type": "string"},
                    "description": "An ETag from an earlier answer: if it still matches, the answer is 304.",
                }
            )
            responses["304"] = {"description": "Not modified: the ETag in If-None-Match still matches."}
            for status, response in responses.items():
                if status == "200":
                    response["headers"] = {
                        "ETag": {"schema": {"type": "string"}, "description": "A hash of the body."},
                        "Last-Modified": {"schema": {"type": "string"}, "description": "When the body last changed."},
                        "Cache-Control": {
                            "schema": {"type": "string"},
                            "description": "`public, max-age=60` for anonymous calls; `private, no-store` otherwise.",
                        },
                    }
        return operation
