// Port: how outbound webhook requests reach customer URLs, with the SSRF rule applied to every connection.

/** One attempt's result. Delivery failures are results, never exceptions. */
export interface WebhookSendResult {
  ok: boolean;
  statusCode?: number;
  latencyMs: number;
  /** Why it failed: `status 500`, `timeout`, `connection refused`, `redirect not followed`, `address refused: …`. */
  error?: string;
}

/**
 * Contract:
 * - `checkUrl` throws `AppError('unsafe_webhook_url')` for a URL the policy refuses (scheme, credentials in the
 *   URL, a host resolving to any non-public address when private addresses are not allowed).
 * - `send` POSTs `body` with `headers` to `url`, re-checking the URL and connecting only to an address it checked
 *   (DNS rebinding between check and connect cannot bypass it); never follows redirects (a 3xx is a failure); gives
 *   up after its timeout; reads at most a bounded part of the response body. 2xx is `ok`.
 */
export interface WebhookTransport {
  checkUrl(url: string): Promise<void>;
  send(request: { url: string; headers: Record<string, string>; body: string }): Promise<WebhookSendResult>;
}
