// Structured JSON logs in the shape Cloud Logging understands; secrets and phone numbers are redacted.

export type Severity = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose entries carry `fields` too (e.g. the request's trace). */
  child(fields: Record<string, unknown>): Logger;
}

const REDACTED_KEYS = /token|secret|password|authorization|signature|api[-_]?key|phone|^to$|^from$/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      REDACTED_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1),
    ]),
  );
}

export type LogSink = (line: string, severity: Severity) => void;

const defaultSink: LogSink = (line, severity) => {
  if (severity === 'ERROR' || severity === 'WARNING') process.stderr.write(line + '\n');
  else process.stdout.write(line + '\n');
};

const LEVELS: Record<Severity, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40 };

export function createLogger(
  options: { sink?: LogSink; base?: Record<string, unknown>; level?: Severity } = {},
): Logger {
  const level: Severity = options.level ?? parseLevel(process.env.LOG_LEVEL);
  return new JsonLogger(options.sink ?? defaultSink, options.base ?? {}, LEVELS[level]);
}

/**
 * Methods on the prototype, not closures per logger: the servers make a child per request, so a child costs one
 * object and its merged base fields, nothing more.
 */
class JsonLogger implements Logger {
  constructor(
    private readonly sink: LogSink,
    private readonly base: Record<string, unknown>,
    private readonly min: number,
  ) {}

  debug(message: string, fields?: Record<string, unknown>): void {
    this.write('DEBUG', message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.write('INFO', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.write('WARNING', message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.write('ERROR', message, fields);
  }

  child(fields: Record<string, unknown>): Logger {
    return new JsonLogger(this.sink, { ...this.base, ...fields }, this.min);
  }

  private write(severity: Severity, message: string, fields?: Record<string, unknown>): void {
    if (LEVELS[severity] < this.min) return;
    const entry = {
      severity,
      message,
      time: new Date().toISOString(),
      ...this.base,
      ...(redact(fields ?? {}) as object),
    };
    this.sink(JSON.stringify(entry), severity);
  }
}

/** Log fields linking an entry to the request trace from `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=1`. */
export function traceFields(header: string | undefined, projectId: string): Record<string, unknown> {
  if (!header) return {};
  const match = /^([0-9a-fA-F]{32})(?:\/(\d+))?/.exec(header);
  if (!match) return {};
  return {
    'logging.googleapis.com/trace': `projects/${projectId}/traces/${match[1]}`,
    ...(match[2] ? { 'logging.googleapis.com/spanId': match[2] } : {}),
  };
}

function parseLevel(raw: string | undefined): Severity {
  const upper = raw?.toUpperCase();
  if (upper === 'WARN') return 'WARNING';
  return upper === 'DEBUG' || upper === 'INFO' || upper === 'WARNING' || upper === 'ERROR' ? upper : 'INFO';
}
