// readCampaignCsv: drivers from CSV rows with per-row problems; rowOfApiPath: API paths back to CSV rows.
import { describe, expect, it } from 'vitest';
import { readCampaignCsv, rowOfApiPath } from './campaign-csv.ts';

const HEADER = 'driverId,driverName,phoneNumber,timezone,violationType,violationDescription';

describe('readCampaignCsv', () => {
  it('reads one driver per row, several violations separated by ";", quoted commas kept', () => {
    const csv = [
      HEADER,
      'd1,Sam Carter,+15551230001,America/Chicago,violation,"Temp 45, needs 38"',
      'd2,Ana Ruiz,(555) 123-0002,,violation;reminder,Late check-in; Send trailer photos',
      'd3,Lee Park,+15551230003,Europe/Berlin,,Speeding',
    ].join('\n');
    const { drivers, problems } = readCampaignCsv(csv.replace('(555) 123-0002', '+1 (555) 123-0002'));
    expect(problems).toEqual([]);
    expect(drivers).toEqual([
      {
        driverId: 'd1',
        driverName: 'Sam Carter',
        phoneNumber: '+15551230001',
        timezone: 'America/Chicago',
        violations: [{ type: 'violation', description: 'Temp 45, needs 38' }],
      },
      {
        driverId: 'd2',
        driverName: 'Ana Ruiz',
        phoneNumber: '+15551230002',
        violations: [
          { type: 'violation', description: 'Late check-in' },
          { type: 'reminder', description: 'Send trailer photos' },
        ],
      },
      {
        driverId: 'd3',
        driverName: 'Lee Park',
        phoneNumber: '+15551230003',
        timezone: 'Europe/Berlin',
        violations: [{ type: 'violation', description: 'Speeding' }],
      },
    ]);
  });

  it('matches columns by name in any order and case; timezone and violationType may be absent', () => {
    const { drivers, problems } = readCampaignCsv(
      'PhoneNumber,violationdescription,driverName,driverId\n+15551230001,Speeding,Sam,d1',
    );
    expect(problems).toEqual([]);
    expect(drivers[0]).toEqual({
      driverId: 'd1',
      driverName: 'Sam',
      phoneNumber: '+15551230001',
      violations: [{ type: 'violation', description: 'Speeding' }],
    });
  });

  it('reports every bad row with its row number and column', () => {
    const csv = [
      HEADER,
      'd1,Sam,+15551230001,America/Chicago,violation,ok',
      ',Ana,555-0100,Mars/Olympus,violation,ok',
      'd1,,+15551230003,,warning,',
      'd4,Kim,+15551230004,,violation;reminder;violation,a;b',
    ].join('\n');
    const { problems } = readCampaignCsv(csv);
    expect(problems.map((p) => [p.row, p.column])).toEqual([
      [2, 'driverId'],
      [2, 'phoneNumber'],
      [2, 'timezone'],
      [3, 'driverName'],
      [3, 'violationDescription'],
      [3, 'driverId'],
      [4, 'violationType'],
    ]);
    expect(problems.find((p) => p.row === 3 && p.column === 'driverId')?.message).toMatch(/row 1/);
    expect(problems.find((p) => p.row === 2 && p.column === 'phoneNumber')?.message).toMatch(/E\.164/);
  });

  it('refuses a missing header column, an empty file, and more than 1000 rows', () => {
    expect(readCampaignCsv('driverId,driverName\nd1,Sam').problems).toEqual([
      { row: 0, message: expect.stringMatching(/lacks phoneNumber, violationDescription/) },
    ]);
    expect(readCampaignCsv('').problems[0]?.message).toMatch(/empty/);
    expect(readCampaignCsv(HEADER).problems[0]?.message).toMatch(/no driver rows/);
    const rows = Array.from({ length: 1001 }, (_, i) => `d${i},N,+1555${String(i).padStart(7, '0')},,,x`);
    const big = readCampaignCsv([HEADER, ...rows].join('\n'));
    expect(big.problems).toEqual([{ row: 0, message: expect.stringMatching(/1001 driver rows.*1000/) }]);
    expect(readCampaignCsv([HEADER, ...rows.slice(0, 1000)].join('\n')).problems).toEqual([]);
  });

  it('limits violations per driver and description length like the API', () => {
    const many = Array.from({ length: 11 }, (_, i) => `v${i}`).join(';');
    const long = 'x'.repeat(501);
    const { problems } = readCampaignCsv(
      `${HEADER}\nd1,Sam,+15551230001,,,${many}\nd2,Ana,+15551230002,,,ok;${long}`,
    );
    expect(problems.map((p) => [p.row, p.message])).toEqual([
      [1, 'At most 10 violations per driver.'],
      [2, 'Violation 2 is longer than 500 characters.'],
    ]);
  });

  it('reports an unterminated quote', () => {
    const { problems } = readCampaignCsv(`${HEADER}\nd1,"Sam,+15551230001,,,x`);
    expect(problems[0]).toEqual({ row: 0, message: expect.stringMatching(/line 2 is never closed/) });
  });
});

describe('rowOfApiPath', () => {
  it.each([
    ['drivers.3.phoneNumber', { row: 4, column: 'phoneNumber' }],
    ['drivers.0.driverId', { row: 1, column: 'driverId' }],
    ['drivers.7.violations.1.description', { row: 8, column: 'violationDescription' }],
    ['drivers.7.violations.0.type', { row: 8, column: 'violationType' }],
    ['drivers.2.timezone', { row: 3, column: 'timezone' }],
    ['drivers.2', { row: 3 }],
    ['name', undefined],
    ['drivers', undefined],
  ])('%s', (path, expected) => {
    expect(rowOfApiPath(path)).toEqual(expected);
  });
});
