// Builds the outbound webhook transport from config (the API checks URLs with it; the worker delivers with it).
import { HttpWebhookTransport } from '../adapters/http-webhook-transport.ts';
import type { WebhookTransport } from '../ports/webhook-transport.ts';
import type { WebhookConfig } from '../support/config.ts';

export function createWebhookTransport(config: Pick<WebhookConfig, 'allowPrivateUrls'>): WebhookTransport {
  return new HttpWebhookTransport({ allowPrivateUrls: config.allowPrivateUrls });
}
