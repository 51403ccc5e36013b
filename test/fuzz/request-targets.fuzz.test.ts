// Every listening server survives hostile request lines, hosts and headers, and keeps serving.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startApiStack, type ApiStack } from '../../functions/api/api-test-kit.ts';
import { assertSurvivesHostileRequests } from './hostile-http.ts';

describe('the functions’ local server (API, webhooks, health)', () => {
  let stack: ApiStack;
  beforeAll(async () => {
    stack = await startApiStack({ backend: 'memory' });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('answers every hostile request below 500 and still serves /healthz', async () => {
    await assertSurvivesHostileRequests(Number(new URL(stack.url).port), '/healthz');
  });
});
