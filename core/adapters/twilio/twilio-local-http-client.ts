// Twilio SDK transport that sends every *.twilio.com request to another base URL (TWILIO_API_BASE_URL: simulator).
import RequestClient from 'twilio/lib/base/RequestClient.js';

/**
 * The twilio SDK has no base-URL option; this `httpClient` rewrites the host of each request it makes and keeps
 * path and query. Auth, form encoding, timeouts and errors stay the SDK's own.
 */
export class TwilioLocalHttpClient extends RequestClient {
  private readonly base: URL;

  /** `baseUrl` like `http://127.0.0.1:4010` (a path prefix is kept); `options.timeout` bounds each request (ms). */
  constructor(baseUrl: string, options?: RequestClient.RequestClientOptions) {
    super(options);
    this.base = new URL(baseUrl);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new TypeError('TwilioLocalHttpClient: baseUrl must be an http(s) URL');
    }
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: this.rewrite(opts.uri) });
  }

  /** The URL a Twilio API URI is sent to; non-twilio.com URIs pass through unchanged. */
  rewrite(uri: string): string {
    const original = new URL(uri);
    if (original.hostname !== 'twilio.com' && !original.hostname.endsWith('.twilio.com')) return uri;
    const prefix = this.base.pathname.replace(/\/$/, '');
    return `${this.base.origin}${prefix}${original.pathname}${original.search}`;
  }
}
