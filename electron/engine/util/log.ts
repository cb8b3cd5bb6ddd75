/**
 * A deliberately small logger: lines to stderr (stdout stays clean for --json output), with a
 * level from SHIGUANG_LOG (debug|info|warn|error|silent). The desktop host forwards stderr to
 * its log file.
 */
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
type Level = (typeof LEVELS)[number];

export function createLogger(scope: string, level: Level = (process.env.SHIGUANG_LOG as Level) || 'info'): Logger {
  const min = Math.max(0, LEVELS.indexOf(level));
  const emit = (l: Level, msg: string): void => {
    if (LEVELS.indexOf(l) < min) return;
    process.stderr.write(`[${new Date().toISOString()}] ${l.padEnd(5)} ${scope}: ${msg}\n`);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
  };
}
