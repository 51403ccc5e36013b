// fieldErrorsFrom: the API's validation details mapped to form fields.
import { describe, expect, it } from 'vitest';
import { fieldErrorsFrom } from './field-errors.ts';

describe('fieldErrorsFrom', () => {
  it.each([
    [
      'API {field, problem} list',
      [{ field: 'phoneNumber', problem: 'must be E.164' }],
      [['phoneNumber', 'must be E.164']],
    ],
    [
      'nested trigger path',
      [{ field: 'violations.1.description', problem: 'is required' }],
      [['violations.1.description', 'is required']],
    ],
    ['whole-body problem', [{ field: '(body)', problem: 'must be an object' }], [['', 'must be an object']]],
    [
      'zod-style issues',
      { issues: [{ path: ['violations', 0, 'type'], message: 'bad' }] },
      [['violations.0.type', 'bad']],
    ],
    [
      'field → messages map',
      { driverId: ['is required', 'too short'] },
      [['driverId', 'is required too short']],
    ],
    ['nothing usable', 'oops', []],
  ])('%s', (_name, details, expected) => {
    expect([...fieldErrorsFrom(details)]).toEqual(expected);
  });

  it('keeps the first message per field', () => {
    const errors = fieldErrorsFrom([
      { field: 'driverId', problem: 'first' },
      { field: 'driverId', problem: 'second' },
    ]);
    expect(errors.get('driverId')).toBe('first');
  });
});
