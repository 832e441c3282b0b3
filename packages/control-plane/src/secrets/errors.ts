/**
 * The two ways secrets fail on the server. Both are plain Errors (not AppErrors): the error
 * handler logs their message with the request id and answers 500 without details, because a
 * caller cannot fix either; an operator can, and the message tells them how.
 */

/** The master keys are missing or malformed. */
export class SecretsConfigError extends Error {
  override readonly name = "SecretsConfigError";
}

/** A wrapped key or sealed value did not open: tampered, moved, or wrapped by an absent key. */
export class SecretsCryptoError extends Error {
  override readonly name = "SecretsCryptoError";
}
