// The exhaustiveness check every `switch` over a discriminated union ends in.

/**
 * Compile error when a union member is not handled (the argument is not `never`); if the impossible happens at run
 * time (a caller bypassed the types), throws a `TypeError` naming the value.
 */
export function assertNever(value: never): never {
  throw new TypeError(`unhandled variant: ${describe(value)}`);
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
