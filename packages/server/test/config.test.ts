import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config.js';

const dir = () => mkdtempSync(join(tmpdir(), 'custodian-config-'));

describe('configuration', () => {
  it('rejects bad values with one clear message listing every problem', () => {
    let err: unknown;
    try {
      loadConfig({ DATA_DIR: dir(), PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', PUBLIC_URL: 'ftp://x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('PORT must be a whole number');
    expect(msg).toContain('LOG_LEVEL must be one of');
    expect(msg).toContain('DATABASE_URL must start with postgres:// or sqlite:');
    expect(msg).toContain('PUBLIC_URL must be an http(s) URL');
    expect(() => loadConfig({ DATA_DIR: dir(), PORT: '70000' })).toThrow(/PORT must be between 0 and 65535/);
    expect(() => loadConfig({ DATA_DIR: dir(), APP_SECRET: 'short' })).toThrow(/APP_SECRET/);
  });

  it('defaults to SQLite in the data directory and generates a secret once, kept private', () => {
    const d = dir();
    const c1 = loadConfig({ DATA_DIR: d });
    expect(c1.databaseUrl).toBe(`sqlite:${join(d, 'custodian.db')}`);
    expect(c1.port).toBe(3000);
    expect(c1.publicUrl).toBe('http://127.0.0.1:3000');
    const file = join(d, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).appSecret).toBe(c1.appSecret);
    expect(loadConfig({ DATA_DIR: d }).appSecret).toBe(c1.appSecret);
    expect(loadConfig({ DATA_DIR: d, APP_SECRET: 'y'.repeat(40) }).appSecret).toBe('y'.repeat(40));
  });

  it('takes PostgreSQL URLs and a public URL', () => {
    const c = loadConfig({ DATA_DIR: dir(), DATABASE_URL: 'postgres://u@db:5432/custodian', PUBLIC_URL: 'https://itam.example.com/', PORT: '8080' });
    expect(c.databaseUrl).toBe('postgres://u@db:5432/custodian');
    expect(c.publicUrl).toBe('https://itam.example.com');
  });
});
