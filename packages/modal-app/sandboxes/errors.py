"""The app's errors: an HTTP status, a stable code and a message a person can act on."""

from __future__ import annotations


class ApiError(Exception):
    """A refusal or failure the HTTP layer turns into `{"error": {"code", "message"}}`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def invalid(message: str) -> ApiError:
    return ApiError(400, "invalid_request", message)


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} was not found (it may have ended or never existed)")


# Modal's exception class names (modal.exception) and what each means for the caller. Matched by
# name so the mapping also holds for the fake module in tests and for SDK versions that move classes.
_MODAL_ERRORS: dict[str, tuple[int, str, str]] = {
    "NotFoundError": (404, "not_found", "Modal does not know this sandbox or snapshot"),
    "InvalidError": (400, "invalid_request", "Modal refused the request as invalid"),
    "ConflictError": (409, "conflict", "Modal refused the request: it conflicts with the sandbox's state"),
    "AlreadyExistsError": (409, "conflict", "a sandbox with this name already exists"),
    "ResourceExhaustedError": (429, "rate_limited", "Modal's quota or rate limit is reached; retry later"),
    "AuthError": (502, "upstream_auth", "the app's own Modal credentials were refused; redeploy the app"),
    "PermissionDeniedError": (502, "upstream_auth", "the app's Modal workspace may not do this"),
    "ServiceError": (503, "upstream_unavailable", "Modal is unavailable; retry later"),
    "ConnectionError": (503, "upstream_unavailable", "the app cannot reach Modal; retry later"),
    "InternalError": (503, "upstream_unavailable", "Modal failed internally; retry later"),
    "InternalFailure": (503, "upstream_unavailable", "Modal failed internally; retry later"),
    "TimeoutError": (504, "upstream_timeout", "Modal did not answer in time; retry later"),
    "SandboxTimeoutError": (504, "upstream_timeout", "Modal did not answer in time; retry later"),
    "ExecutionError": (502, "upstream_failed", "Modal could not carry out the operation"),
}


def from_modal(error: BaseException, doing: str) -> ApiError:
    """What a Modal SDK exception means, in words; the exception's own text is never quoted
    (it may carry request details), only its class decides the answer."""
    for cls in type(error).__mro__:
        known = _MODAL_ERRORS.get(cls.__name__)
        if known is not None:
            status, code, meaning = known
            return ApiError(status, code, f"{doing}: {meaning}")
    return ApiError(500, "internal", f"{doing}: unexpected failure in the Modal app; see its logs")
