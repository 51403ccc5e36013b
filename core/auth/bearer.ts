// Bearer credentials of HTTP requests (`Authorization: Bearer <token>`), for the API and the relay's upgrade.

/** Extracts a bearer token from an `Authorization` header value. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header?.trim() ?? '');
  return match?.[1];
}
