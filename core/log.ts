import { pino, type Logger } from 'pino';

/**
 * Structured logs go to stderr so that stdout stays for command output (tables, JSON).
 * EBBFLOW_LOG_LEVEL overrides the level (default info; tests default to warn).
 */
export function createLogger(name: string, level?: string): Logger {
  const lvl = level ?? process.env.EBBFLOW_LOG_LEVEL ?? (process.env.VITEST ? 'warn' : 'info');
  return pino({ name, level: lvl, base: { name } }, pino.destination(2));
}
