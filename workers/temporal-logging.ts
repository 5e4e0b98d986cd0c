import { Runtime } from '@temporalio/worker';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from '../lib/logger';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** The Temporal SDK's own log lines (worker, activity context) as pino JSON, trace_id lifted to the top. */
export function pinoTemporalLogger(log: Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const { trace_id: traceId, ...rest } = (meta ?? {}) as Record<string, unknown>;
    log[LEVELS[level]]({ ...(traceId ? { trace_id: traceId } : {}), temporal: rest }, message);
  };
  return {
    log: write,
    trace: (m, meta) => write('TRACE', m, meta),
    debug: (m, meta) => write('DEBUG', m, meta),
    info: (m, meta) => write('INFO', m, meta),
    warn: (m, meta) => write('WARN', m, meta),
    error: (m, meta) => write('ERROR', m, meta),
  };
}

/** Once per process, before the first connection: the Runtime is global. */
export function installRuntimeLogger(log: Logger): void {
  Runtime.install({ logger: pinoTemporalLogger(log) });
}

function traceIdOf(args: readonly unknown[]): string | undefined {
  const t = (args[0] as { metadata?: { trace_id?: unknown } } | undefined)?.metadata?.trace_id;
  return typeof t === 'string' ? t : undefined;
}

/**
 * Puts the incident's trace_id (from the A2A message every activity receives) on each line the SDK
 * logs for that activity (started, completed, failed, retried), so they join the skill's own lines.
 */
export const traceIdActivityInterceptor: ActivityInterceptorsFactory = () => {
  let traceId: string | undefined;
  return {
    inbound: {
      execute: (input, next) => {
        traceId = traceIdOf(input.args);
        return next(input);
      },
    },
    outbound: {
      getLogAttributes: (input, next) => next(traceId ? { ...input, trace_id: traceId } : input),
    },
  };
};
