// A campaign's drivers from CSV: one driver per row, checked row by row before anything is sent to the API.
import { CAMPAIGN_LIMITS, type CampaignDriverInput } from '../../core/domain/campaign.ts';
import type { Trigger, TriggerType } from '../../core/domain/call.ts';
import { E164_PATTERN } from '../../core/domain/phone-number.ts';
import { parseCsv } from './csv.ts';

/** The header row, in this order (columns are matched by name, case-insensitively, so any order works). */
export const CSV_COLUMNS = [
  'driverId',
  'driverName',
  'phoneNumber',
  'timezone',
  'violationType',
  'violationDescription',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Columns a file must have; `timezone` and `violationType` may be left out (org default zone, `violation`). */
const REQUIRED_COLUMNS: readonly CsvColumn[] = [
  'driverId',
  'driverName',
  'phoneNumber',
  'violationDescription',
];

/** Separates several violations in one cell (`violationDescription`, and optionally `violationType`). */
export const VIOLATION_SEPARATOR = ';';

/**
 * The API's per-driver limits (`POST /driver_data/call-elevenlabs`, functions/api/trigger-call.ts TRIGGER_LIMITS):
 * checked here only to tell the dispatcher early; the API stays the authority and its answer is mapped back to rows.
 */
export const DRIVER_ROW_LIMITS = {
  driverIdMax: 128,
  driverNameMax: 100,
  triggersMax: 10,
  descriptionMax: 500,
  timezoneMax: 64,
} as const;

/** A problem with one cell of one row (`row` 1-based, counting driver rows, not the header), or the whole file. */
export interface RowProblem {
  /** 1-based driver row; 0 for a problem with the file itself (header, size). */
  row: number;
  /** The column, when the problem is in one cell. */
  column?: CsvColumn;
  message: string;
}

export interface CampaignCsv {
  /** One entry per data row, in file order: `drivers[i]` is row `i + 1`. */
  drivers: CampaignDriverInput[];
  problems: RowProblem[];
}

const L = DRIVER_ROW_LIMITS;

/** Parses and checks a driver CSV. `drivers` holds every row (also invalid ones); submit only when `problems` is empty. */
export function readCampaignCsv(text: string): CampaignCsv {
  const { records, unterminatedQuoteLine } = parseCsv(text);
  const problems: RowProblem[] = [];
  if (unterminatedQuoteLine !== undefined) {
    problems.push({
      row: 0,
      message: `A quote opened on line ${unterminatedQuoteLine} is never closed.`,
    });
  }
  const [header, ...rows] = records;
  if (!header) return { drivers: [], problems: [{ row: 0, message: 'The CSV is empty.' }] };
  const columns = columnIndex(header.fields);
  const missing = REQUIRED_COLUMNS.filter((c) => columns[c] === undefined);
  if (missing.length) {
    problems.push({
      row: 0,
      message: `The header row lacks ${missing.join(', ')}. Expected: ${CSV_COLUMNS.join(',')}.`,
    });
    return { drivers: [], problems };
  }
  if (rows.length < CAMPAIGN_LIMITS.driversMin)
    problems.push({ row: 0, message: 'The CSV has no driver rows.' });
  if (rows.length > CAMPAIGN_LIMITS.driversMax) {
    problems.push({
      row: 0,
      message: `The CSV has ${rows.length} driver rows; a campaign takes at most ${CAMPAIGN_LIMITS.driversMax}.`,
    });
  }
  const firstRowOf = new Map<string, number>();
  const drivers = rows.map((record, i) => {
    const row = i + 1;
    const cell = (column: CsvColumn) => {
      const index = columns[column];
      return index === undefined ? '' : (record.fields[index] ?? '').trim();
    };
    const add = (column: CsvColumn, message: string) => problems.push({ row, column, message });
    const driver = readRow(cell, add);
    if (driver.driverId) {
      const first = firstRowOf.get(driver.driverId);
      if (first === undefined) firstRowOf.set(driver.driverId, row);
      else add('driverId', `Duplicate: driver ${driver.driverId} is already on row ${first}.`);
    }
    return driver;
  });
  return { drivers, problems };
}

function readRow(
  cell: (column: CsvColumn) => string,
  add: (column: CsvColumn, message: string) => void,
): CampaignDriverInput {
  const driverId = cell('driverId');
  const driverName = cell('driverName');
  // Spaces, dashes and parentheses are formatting people paste; the API wants bare E.164.
  const phoneNumber = cell('phoneNumber').replace(/[\s()-]/g, '');
  const timezone = cell('timezone');
  if (!driverId) add('driverId', 'Driver ID is required.');
  else if (driverId.length > L.driverIdMax)
    add('driverId', `Driver ID is longer than ${L.driverIdMax} characters.`);
  if (!driverName) add('driverName', 'Driver name is required.');
  else if (driverName.length > L.driverNameMax)
    add('driverName', `Driver name is longer than ${L.driverNameMax} characters.`);
  if (!phoneNumber) add('phoneNumber', 'Phone number is required.');
  else if (!E164_PATTERN.test(phoneNumber))
    add('phoneNumber', 'Phone number must be E.164, such as +15551234567.');
  if (timezone && (timezone.length > L.timezoneMax || !isTimeZone(timezone)))
    add('timezone', `"${timezone}" is not an IANA time zone such as America/Chicago.`);
  const violations = readViolations(cell('violationType'), cell('violationDescription'), add);
  return { driverId, driverName, phoneNumber, ...(timezone ? { timezone } : {}), violations };
}

function readViolations(
  typeCell: string,
  descriptionCell: string,
  add: (column: CsvColumn, message: string) => void,
): Trigger[] {
  const descriptions = splitList(descriptionCell);
  const types = splitList(typeCell).map((t) => t.toLowerCase());
  if (descriptions.length === 0) {
    add('violationDescription', 'At least one violation description is required.');
    return [];
  }
  if (descriptions.length > L.triggersMax)
    add('violationDescription', `At most ${L.triggersMax} violations per driver.`);
  const tooLong = descriptions.findIndex((d) => d.length > L.descriptionMax);
  if (tooLong >= 0)
    add('violationDescription', `Violation ${tooLong + 1} is longer than ${L.descriptionMax} characters.`);
  // One type for all, or one per description.
  if (types.length > 1 && types.length !== descriptions.length) {
    add(
      'violationType',
      `Give one type for all violations or one per violation (${descriptions.length} descriptions, ${types.length} types).`,
    );
  }
  const badType = types.find((t) => t !== 'violation' && t !== 'reminder');
  if (badType !== undefined) add('violationType', `"${badType}" is not a type: use violation or reminder.`);
  return descriptions.map((description, i) => ({
    type: ((types.length > 1 ? types[i] : types[0]) ?? 'violation') as TriggerType,
    description,
  }));
}

function splitList(value: string): string[] {
  return value
    .split(VIOLATION_SEPARATOR)
    .map((part) => part.trim())
    .filter(Boolean);
}

function columnIndex(header: string[]): Partial<Record<CsvColumn, number>> {
  const out: Partial<Record<CsvColumn, number>> = {};
  header.forEach((name, index) => {
    const column = CSV_COLUMNS.find((c) => c.toLowerCase() === name.trim().toLowerCase());
    if (column && out[column] === undefined) out[column] = index;
  });
  return out;
}

/** An IANA zone name as this browser's Intl knows it (the API checks the same way). */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * Maps an API validation path back to the CSV: `drivers.3.phoneNumber` → row 4, column phoneNumber;
 * `drivers.3.violations.1.description` → row 4, violationDescription. Undefined for paths outside `drivers`.
 */
export function rowOfApiPath(path: string): { row: number; column?: CsvColumn } | undefined {
  const match = /^drivers\.(\d+)(?:\.(\w+))?/.exec(path);
  if (!match?.[1]) return undefined;
  const row = Number(match[1]) + 1;
  const field = match[2];
  const column: CsvColumn | undefined =
    field === 'violations'
      ? /\.type$/.test(path)
        ? 'violationType'
        : 'violationDescription'
      : CSV_COLUMNS.find((c) => c === field);
  return column ? { row, column } : { row };
}
