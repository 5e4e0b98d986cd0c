import pino from 'pino';
import type { Logger } from 'pino';

/**
 * Structured JSON logs. Secrets are redacted by path; event content is only ever logged nested
 * under a key (never spread), so a hostile alert cannot forge top-level fields like `level`.
 */
export function createLogger(name: string, level: string = process.env.VIGIL_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    base: { service: name, pid: process.pid },
    redact: {
      paths: [
        'apiKey',
        '*.apiKey',
        'authorization',
        '*.authorization',
        'headers.authorization',
        '*.headers.authorization',
        'token',
        '*.token',
        'password',
        '*.password',
        'webhookUrl',
        '*.webhookUrl',
        // A TLS private key if an object holding one is ever logged whole.
        'privateKey',
        '*.privateKey',
      ],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

export type { Logger };
