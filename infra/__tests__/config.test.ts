import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { temporalTarget } from '../temporal';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration', () => {
  it('runs on embedded defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', TEMPORAL_NAMESPACE: 'default', TEMPORAL_DEV_PORT: 7233, TEMPORAL_UI_PORT: 8233 });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.DATABASE_PREPARED_STATEMENTS).toBe('on');
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(temporalTarget(config)).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', TEMPORAL_ADDRESS: '' }).DATABASE_URL).toBeUndefined();
  });

  it('names every bad setting at once', () => {
    const found = problems({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      TEMPORAL_ADDRESS: 'temporal.example.com',
      OPERATOR_TIME_ZONE: 'Mars/Olympus',
      LOG_LEVEL: 'loud',
      TEMPORAL_TLS_CERT_PATH: '/no/such/cert.pem',
      DATABASE_PREPARED_STATEMENTS: 'no',
    });
    const text = found.join('\n');
    expect(text).toContain('PORT: must be a port number from 0 to 65535');
    expect(text).toContain('DATABASE_URL: must be a postgresql:// connection URL');
    expect(text).toContain('TEMPORAL_ADDRESS: must be host:port');
    expect(text).toContain('OPERATOR_TIME_ZONE: is not an IANA time zone');
    expect(text).toContain('LOG_LEVEL:');
    expect(text).toContain('TEMPORAL_TLS_CERT_PATH: TEMPORAL_TLS_CERT_PATH: no such file');
    expect(text).toContain('DATABASE_PREPARED_STATEMENTS: must be "on" or "off"');
    expect(new ConfigError(found).message).toMatch(/^Invalid configuration:\n {2}- /);
  });

  it('checks the company currencies', () => {
    expect(loadConfig({ BASE_CURRENCY: 'EUR', BANK_CURRENCIES: 'EUR, CHF' }).BANK_CURRENCIES).toEqual(['EUR', 'CHF']);
    expect(problems({ BASE_CURRENCY: 'GBP', BANK_CURRENCIES: 'EUR,USD' })).toEqual(['BANK_CURRENCIES: must include the base currency GBP']);
    expect(problems({ BASE_CURRENCY: 'GBX', BANK_CURRENCIES: 'EUR,XYZ' }).join('\n')).toMatch(/BASE_CURRENCY: is not an ISO 4217 currency code[\s\S]*BANK_CURRENCIES: must be a comma-separated list/);
  });

  it('checks that Temporal credentials make sense together', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'itinera-cfg-'));
    const cert = path.join(dir, 'client.pem');
    writeFileSync(cert, 'not really a cert');
    expect(problems({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_TLS_CERT_PATH: cert })).toEqual([
      'TEMPORAL_TLS_KEY_PATH: mTLS needs both a certificate and a key',
    ]);
    expect(problems({ TEMPORAL_API_KEY: 'secret' })).toEqual([
      'TEMPORAL_ADDRESS: is required when Temporal credentials are given (the dev server needs none)',
    ]);
    expect(problems({ TEMPORAL_ADDRESS: 'a:1', TEMPORAL_API_KEY: 'k', TEMPORAL_TLS_CERT_PATH: cert, TEMPORAL_TLS_KEY_PATH: cert })).toContain(
      'TEMPORAL_API_KEY: use either mTLS (TEMPORAL_TLS_CERT_PATH/KEY_PATH) or an API key, not both',
    );
  });

  it('builds a Temporal Cloud target from an API key, with TLS', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'itinera.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'itinera.a1b2c', TEMPORAL_API_KEY: 'key-123' });
    expect(temporalTarget(config)).toEqual({ address: 'itinera.a1b2c.tmprl.cloud:7233', namespace: 'itinera.a1b2c', tls: true, apiKey: 'key-123' });
  });
});
