import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: 'silent' | 'error' | 'info' | 'debug'): Logger {
  return pino({ level, base: { app: 'motcua' }, timestamp: pino.stdTimeFunctions.isoTime });
}
