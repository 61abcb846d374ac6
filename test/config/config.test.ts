import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../api/src/config/config.ts';

describe('configuration', () => {
  it('has working defaults: embedded database, loopback, port 3000', () => {
    expect(loadConfig({})).toMatchObject({ HOST: '127.0.0.1', PORT: 3000, DATA_DIR: '.data', LOG_LEVEL: 'info', IDEMPOTENCY_TTL_HOURS: 24 });
    expect(loadConfig({}).DATABASE_URL).toBeUndefined();
  });

  it('reads and coerces the environment', () => {
    const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgresql://u:p@db:5432/tajo', DATABASE_POOL_SIZE: '25', LOG_LEVEL: 'warn' });
    expect(config).toMatchObject({ PORT: 8080, DATABASE_URL: 'postgresql://u:p@db:5432/tajo', DATABASE_POOL_SIZE: 25, LOG_LEVEL: 'warn' });
  });

  it('refuses bad values at boot, naming every variable that is wrong', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', IDEMPOTENCY_TTL_HOURS: '1' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ['PORT', 'LOG_LEVEL', 'IDEMPOTENCY_TTL_HOURS']) expect(message).toContain(name);
    }
  });
});
