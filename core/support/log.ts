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
  const sink = options.sink ?? defaultSink;
  const base = options.base ?? {};
  const level: Severity = options.level ?? parseLevel(process.env.LOG_LEVEL);
  const min = LEVELS[level];
  const write = (severity: Severity, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[severity] < min) return;
    const entry = {
      severity,
      message,
      time: new Date().toISOString(),
      ...base,
      ...(redact(fields ?? {}) as object),
    };
    sink(JSON.stringify(entry), severity);
  };
  return {
    debug: (m, f) => write('DEBUG', m, f),
    info: (m, f) => write('INFO', m, f),
    warn: (m, f) => write('WARNING', m, f),
    error: (m, f) => write('ERROR', m, f),
    child: (fields) => createLogger({ sink, base: { ...base, ...fields }, level }),
  };
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
