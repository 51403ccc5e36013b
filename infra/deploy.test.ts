// infra/deploy.sh: valid bash, and its dry run prints every deploy step with the settings the services need.
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = resolve(import.meta.dirname, 'deploy.sh');

/** Runs the dry run with a clean, credential-free environment (no provider variables set). */
function dryRun(env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('bash', [SCRIPT, '--dry-run'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('infra/deploy.sh', () => {
  it('is valid bash', () => {
    expect(() => execFileSync('bash', ['-n', SCRIPT])).not.toThrow();
  });

  it('refuses to run without PROJECT_ID', () => {
    const result = dryRun();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('PROJECT_ID is required');
  });

  describe('dry run', () => {
    const { status, stdout } = dryRun({ PROJECT_ID: 'demo-deploy-test', REGION: 'europe-west1' });
    const commands = stdout.split('\n').filter((line) => line.startsWith('+ '));

    it('succeeds and prints commands instead of running them', () => {
      expect(status).toBe(0);
      expect(commands.length).toBeGreaterThan(20);
    });

    it.each([
      ['enables the APIs', 'services enable cloudfunctions.googleapis.com run.googleapis.com'],
      ['creates the topic when missing', 'pubsub topics describe callrelay-events'],
      ['deploys Firestore rules and indexes', '--only=firestore:rules\\,firestore:indexes'],
      ['creates secrets by name only', 'secrets create callrelay-jwt-secret --replication-policy=automatic'],
      ['builds the code', 'npm run build'],
      ['deploys the api function', 'functions deploy api --gen2 --region=europe-west1 --runtime=nodejs20'],
      ['deploys the Twilio status webhook', 'functions deploy twilioStatusWebhook --gen2'],
      ['deploys the Twilio transcription webhook', 'functions deploy twilioTranscriptionWebhook --gen2'],
      ['deploys the ElevenLabs webhook', 'functions deploy elevenlabsWebhook --gen2'],
      ['maps secrets into the functions', '--set-secrets=JWT_SECRET=callrelay-jwt-secret:latest'],
      ['deploys the worker tick, private', 'functions deploy workerTick --gen2'],
      [
        'deploys the worker bus consumer on the topic, redelivering on failure',
        '--trigger-topic=callrelay-events --retry',
      ],
      ['lets only the invoker account call the worker', 'functions add-invoker-policy-binding workerTick'],
      ['ticks the worker every minute with an OIDC token', 'scheduler jobs create http callrelay-tick'],
      ['builds the relay image from its Dockerfile', 'builds submit'],
      ['keeps WebSockets open for an hour', 'run deploy callrelay-relay'],
      ['deploys Hosting', '--only=hosting'],
    ])('%s', (_name, fragment) => {
      expect(commands.some((line) => line.includes(fragment))).toBe(true);
    });

    it('tells the functions how many proxies append to X-Forwarded-For (Hosting + Google front end)', () => {
      expect(stdout).toContain('TRUSTED_PROXY_HOPS: "2"');
    });

    it('gives each function only the secrets its handler reads', () => {
      // The dry run prints shell-quoted words (`\,`); compare the unquoted command.
      const deploy = (name: string) =>
        (commands.find((l) => l.includes(`functions deploy ${name} `)) ?? '').replace(/\\,/g, ',');
      expect(deploy('api')).toContain(
        '--set-secrets=JWT_SECRET=callrelay-jwt-secret:latest,TWILIO_AUTH_TOKEN=callrelay-twilio-auth-token:latest,ELEVENLABS_API_KEY=callrelay-elevenlabs-api-key:latest',
      );
      expect(deploy('api')).not.toContain('ELEVENLABS_WEBHOOK_SECRET');
      for (const webhook of ['twilioStatusWebhook', 'twilioTranscriptionWebhook', 'elevenlabsWebhook']) {
        expect(deploy(webhook)).toContain(
          '--set-secrets=TWILIO_AUTH_TOKEN=callrelay-twilio-auth-token:latest,ELEVENLABS_WEBHOOK_SECRET=callrelay-elevenlabs-webhook-secret:latest',
        );
        expect(deploy(webhook)).not.toContain('JWT_SECRET');
        expect(deploy(webhook)).not.toContain('ELEVENLABS_API_KEY');
      }
    });

    it('runs the relay with the settings a WebSocket fan-out needs', () => {
      const relay = commands.find((line) => line.includes('run deploy callrelay-relay')) ?? '';
      for (const flag of [
        '--timeout=3600',
        '--session-affinity',
        '--no-cpu-throttling',
        '--min-instances=1',
        '--service-account=callrelay-relay@demo-deploy-test.iam.gserviceaccount.com',
        '--set-secrets=JWT_SECRET=callrelay-jwt-secret:latest',
      ])
        expect(relay).toContain(flag);
    });

    it('configures the functions with the public origin and the google backend', () => {
      expect(stdout).toContain('PUBLIC_BASE_URL: "https://demo-deploy-test.web.app"');
      expect(stdout).toContain('CALLRELAY_BACKEND: "google"');
    });

    it('writes the dashboard config in the shape web/src/runtime-config.ts reads', () => {
      const line = commands.find((l) => l.includes('config.json')) ?? '';
      const json = /'(\{.*\})'/.exec(line)?.[1] ?? '';
      expect(JSON.parse(json)).toEqual({ apiBaseUrl: '/', relayUrl: expect.stringMatching(/^wss:\/\//) });
    });

    it('never prints a secret value', () => {
      const withSecrets = dryRun({
        PROJECT_ID: 'demo-deploy-test',
        JWT_SECRET: 'do-not-print-this-secret-0123456789',
      });
      expect(withSecrets.stdout).not.toContain('do-not-print-this-secret');
    });
  });
});
