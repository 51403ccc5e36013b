// Which Firestore failures become store_unavailable, and which pass through untouched.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../support/errors.ts';
import { guardStore, toStoreError } from './firestore-errors.ts';

const grpcError = (code: number | string) => Object.assign(new Error(`grpc ${code}`), { code });

describe('toStoreError', () => {
  it.each([
    ['DEADLINE_EXCEEDED', 4],
    ['RESOURCE_EXHAUSTED', 8],
    ['ABORTED (contention after all attempts)', 10],
    ['UNAVAILABLE', 14],
    ['ECONNREFUSED', 'ECONNREFUSED'],
    ['ETIMEDOUT', 'ETIMEDOUT'],
  ])('maps %s to store_unavailable with the cause kept', (_name, code) => {
    const cause = grpcError(code);
    const mapped = toStoreError(cause);
    expect(mapped).toBeInstanceOf(AppError);
    expect((mapped as AppError).code).toBe('store_unavailable');
    expect((mapped as AppError).cause).toBe(cause);
  });

  it.each([
    ['NOT_FOUND', 5],
    ['ALREADY_EXISTS', 6],
    ['INVALID_ARGUMENT', 3],
    ['FAILED_PRECONDITION (missing index)', 9],
  ])('leaves %s as it is', (_name, code) => {
    const err = grpcError(code);
    expect(toStoreError(err)).toBe(err);
  });

  it('maps a transaction the server closed under contention (INVALID_ARGUMENT, its details) to store_unavailable', () => {
    const cause = Object.assign(new Error('3 INVALID_ARGUMENT: Transaction is invalid or closed.'), {
      code: 3,
      details: 'Transaction is invalid or closed.',
    });
    expect((toStoreError(cause) as AppError).code).toBe('store_unavailable');
  });

  it('keeps AppErrors and non-errors as they are', () => {
    const appError = new AppError('not_found', 'call not found');
    expect(toStoreError(appError)).toBe(appError);
    expect(toStoreError(null)).toBeNull();
    expect(toStoreError('boom')).toBe('boom');
  });

  it('guardStore rejects with the mapped error', async () => {
    await expect(guardStore(() => Promise.reject(grpcError(14)))).rejects.toMatchObject({
      code: 'store_unavailable',
    });
    await expect(guardStore(async () => 7)).resolves.toBe(7);
  });
});
