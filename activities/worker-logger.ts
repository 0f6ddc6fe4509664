import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import pino from 'pino';
import type { Config } from '../api/config';

type PinoLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
const PINO_LEVEL: Record<LogLevel, PinoLevel> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal runtime's logger for the worker process: one JSON line per entry through pino, like the API's
 * lines, so a log pipeline joins them on `requestId` / `workflowId` without parsing the SDK's text format. The
 * SDK's attributes (workflowId, activityType, sdkComponent, the requestId our interceptor adds) become fields;
 * an `error` attribute goes out as pino's `err`, with its stack.
 */
export function createWorkerLogger(level: Config['LOG_LEVEL'], destination?: pino.DestinationStream): Logger {
  const base = pino({ level, base: { process: 'worker', pid: process.pid } }, destination);
  const write = (logLevel: LogLevel, message: string, meta: LogMetadata = {}) => {
    const { error, ...fields } = meta;
    const attributes = error instanceof Error ? { ...fields, err: error } : meta;
    base[PINO_LEVEL[logLevel]](attributes, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}
