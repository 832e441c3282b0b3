"""The fake SDK's exceptions: the class names of modal.exception the app classifies."""


class Error(Exception):
    pass


class AlreadyExistsError(Error):
    pass


class AuthError(Error):
    pass


class InternalError(Error):
    pass


class InvalidError(Error):
    pass


class ConflictError(InvalidError):
    pass


class NotFoundError(Error):
    pass


class ResourceExhaustedError(Error):
    pass


class ServiceError(Error):
    pass


class TimeoutError(Error):
    pass


class ExecutionError(Error):
    pass


class ConnectionError(Error):
    pass
