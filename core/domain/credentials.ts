// What a dispatcher credential is: the roles a token can carry and the longest token (or relay ticket) accepted.

export const ROLES = ['dispatcher', 'admin'] as const;

export type Role = (typeof ROLES)[number];

/** Longest token (or relay ticket) verified, in characters: real ones are well under 1 KiB; bounds work before auth. */
export const MAX_TOKEN_LENGTH = 8192;
