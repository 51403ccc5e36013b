// The dynamic variables the voice agent's prompt reads: who the driver is and what the call is about.
import type { Call } from './call.ts';

/** Values the agent's prompt can reference as `{{name}}`. Keys are snake_case as configured on the agent. */
export type DynamicVariables = Record<string, string | number | boolean>;

/** Variable carrying callrelay's callId, echoed back in post-call webhooks so they find the call directly. */
export const CALL_ID_VARIABLE = 'callrelay_call_id';

/**
 * Variables for a call, snake_case as the agent prompt references them (`{{driver_name}}`, `{{violations}}`).
 * Adapters must pass them as the SDK's camelCase `dynamicVariables` field; the keys themselves are kept verbatim.
 */
export function dynamicVariablesFor(call: Pick<Call, 'callId' | 'driver' | 'triggers'>): DynamicVariables {
  const lines = call.triggers.map(
    (t, i) => `${i + 1}. ${t.type === 'violation' ? 'Violation' : 'Reminder'}: ${t.description}`,
  );
  return {
    [CALL_ID_VARIABLE]: call.callId,
    driver_id: call.driver?.id ?? '',
    driver_name: call.driver?.name ?? '',
    violations: lines.join('\n'),
    violation_count: call.triggers.filter((t) => t.type === 'violation').length,
    reminder_count: call.triggers.filter((t) => t.type === 'reminder').length,
    ...(call.driver?.timezone ? { driver_timezone: call.driver.timezone } : {}),
  };
}
