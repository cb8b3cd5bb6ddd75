/**
 * What a failed model download says to the person, in their language: one message per stable
 * code (engine/models/errors.ts) saying what failed and what to try, filled from the failure's
 * parameters (host, HTTP status, bytes, …), plus a short line per source tried. The engine's
 * English `message` is for logs; nothing here quotes it, so no system text ("getaddrinfo
 * ENOTFOUND") reaches a Chinese screen. Used by the renderer (its catalogue includes these keys)
 * and by the CLI. Pure data and string functions: shared by every process.
 */

export type DownloadLang = 'zh-CN' | 'en';

/** Parameters of a failure: numbers stay numbers (bytes, seconds, status) until formatted here. */
export type FailureParams = Record<string, string | number>;

export interface DownloadFailure {
  /** A ModelErrorCode, or INTERNAL for an unexpected failure. */
  code: string;
  params: FailureParams;
  /** Each source tried, in order, when every one failed. */
  attempts: { source: string; code: string; params: FailureParams }[];
}

export const DOWNLOAD_ERROR_CODES = [
  'UNREACHABLE',
  'TIMEOUT',
  'NETWORK',
  'NOT_FOUND',
  'HTTP_ERROR',
  'NOT_BINARY',
  'SIZE_MISMATCH',
  'CHECKSUM_MISMATCH',
  'DISK_SPACE',
  'DISK_FULL',
  'NO_SOURCE',
  'NO_HOSTED_ONNX',
  'UNKNOWN_MODEL',
  'INVALID_MODEL',
  'ALREADY_INSTALLED',
  'BUSY',
  'ABORTED',
  'NOT_INSTALLED',
  'INTERNAL',
] as const;
export type DownloadErrorCode = (typeof DOWNLOAD_ERROR_CODES)[number];

const zh = {
  'download.error.UNREACHABLE': '无法连接 {host}：网络不通，或这个网站在当前网络下无法访问。请检查网络；在中国大陆，请在设置里把魔搭 ModelScope 或 hf-mirror 排在下载源的最前面。',
  'download.error.TIMEOUT': '{host} 超过 {seconds} 秒没有传来数据（已下载 {bytes}）。请重试，会从中断处继续；一直这样的话，请在设置里换一个下载源。',
  'download.error.NETWORK': '与 {host} 的连接中断了（已下载 {bytes}）。请重试，会从中断处继续。',
  'download.error.NOT_FOUND': '{host} 上找不到这个模型文件（HTTP {status}）。请在设置里换一个下载源后重试。',
  'download.error.HTTP_ERROR': '{host} 返回了错误（HTTP {status}）。请稍后重试，或在设置里换一个下载源。',
  'download.error.NOT_BINARY': '{host} 返回的是网页，不是模型文件：可能是需要登录的网络、认证页面或代理。请先在浏览器里确认能上网，或换一个下载源。',
  'download.error.SIZE_MISMATCH': '从 {host} 下载的文件大小不对（{bytes}，应为 {expected}），文件没有被使用。请换一个下载源重试。',
  'download.error.CHECKSUM_MISMATCH': '从 {host} 下载的文件校验不通过，已删除。请重试；再次失败的话，请换一个下载源。',
  'download.error.DISK_SPACE': '磁盘空间不够：需要约 {need}，{dir} 所在的磁盘只剩 {have}。请腾出空间后重试。',
  'download.error.DISK_FULL': '写入时磁盘满了。请腾出空间后重试，会从中断处继续。',
  'download.error.NO_SOURCE': '设置里的下载源（{sources}）都没有这个文件，它在 {hubs} 上。请在设置里加上对应的下载源。',
  'download.error.NO_HOSTED_ONNX': '{model} 没有可以直接下载的 {precision} 版本（可下载：{hosted}）。',
  'download.error.UNKNOWN_MODEL': '没有叫 {model} 的模型。',
  'download.error.INVALID_MODEL': '{model} 下载完成，但试运行没有通过，所以没有启用。文件保留在 {dir}。',
  'download.error.ALREADY_INSTALLED': '{model} 已经装好了（{dir}）。',
  'download.error.BUSY': '{model} 正在另一个窗口或进程里下载，请等它完成。',
  'download.error.ABORTED': '下载已停止（应用正在关闭）。下次打开时会从中断处继续。',
  'download.error.NOT_INSTALLED': '这个模型还没有安装。',
  'download.error.INTERNAL': '下载意外失败。请重试；日志里有详细原因。',
  'download.resumable': '已下载的部分会保留，重试时从中断处继续。',
  'download.tried': '依次尝试了：{list}',
  'download.attempt.UNREACHABLE': '无法连接',
  'download.attempt.TIMEOUT': '没有响应',
  'download.attempt.NETWORK': '连接中断',
  'download.attempt.NOT_FOUND': '没有这个文件',
  'download.attempt.HTTP_ERROR': '服务器出错 {status}',
  'download.attempt.NOT_BINARY': '返回了网页',
  'download.attempt.SIZE_MISMATCH': '文件大小不对',
  'download.attempt.CHECKSUM_MISMATCH': '校验不通过',
  'download.attempt.OTHER': '失败',
  'download.source.huggingface': 'Hugging Face',
  'download.source.hf-mirror': 'hf-mirror',
  'download.source.modelscope': '魔搭 ModelScope',
} as const;

export type DownloadMessageKey = keyof typeof zh;

const en: Record<DownloadMessageKey, string> = {
  'download.error.UNREACHABLE': 'Cannot reach {host}: there is no network, or this site cannot be reached from here. Check the connection, or put another download source first in Settings (in mainland China: ModelScope or hf-mirror).',
  'download.error.TIMEOUT': '{host} sent nothing for {seconds} s (after {bytes}). Retry: it continues where it stopped. If it keeps happening, choose another download source in Settings.',
  'download.error.NETWORK': 'The connection to {host} broke off (after {bytes}). Retry: it continues where it stopped.',
  'download.error.NOT_FOUND': '{host} does not have this model file (HTTP {status}). Choose another download source in Settings and retry.',
  'download.error.HTTP_ERROR': '{host} answered with an error (HTTP {status}). Retry later, or choose another download source in Settings.',
  'download.error.NOT_BINARY': '{host} sent a web page instead of the model file: a network that needs a login, a captive portal or a proxy. Check that the browser can reach the internet, or choose another source.',
  'download.error.SIZE_MISMATCH': 'The file from {host} has the wrong size ({bytes}, expected {expected}) and was not used. Retry with another download source.',
  'download.error.CHECKSUM_MISMATCH': 'The file from {host} failed its checksum and was deleted. Retry; if it fails again, choose another download source.',
  'download.error.DISK_SPACE': 'Not enough disk space: about {need} is needed, the disk of {dir} has {have} free. Free some space and retry.',
  'download.error.DISK_FULL': 'The disk filled up while writing. Free some space and retry: it continues where it stopped.',
  'download.error.NO_SOURCE': 'None of the download sources in Settings ({sources}) has this file; it is on {hubs}. Add that source in Settings.',
  'download.error.NO_HOSTED_ONNX': '{model} has no ready-made {precision} download (downloadable: {hosted}).',
  'download.error.UNKNOWN_MODEL': 'There is no model called {model}.',
  'download.error.INVALID_MODEL': '{model} was downloaded but failed its test run, so it was not enabled. The files are kept in {dir}.',
  'download.error.ALREADY_INSTALLED': '{model} is already installed ({dir}).',
  'download.error.BUSY': '{model} is being downloaded in another window or process; wait for it to finish.',
  'download.error.ABORTED': 'The download stopped (the app is closing). It continues where it stopped next time.',
  'download.error.NOT_INSTALLED': 'This model is not installed yet.',
  'download.error.INTERNAL': 'The download failed unexpectedly. Retry; the log has the details.',
  'download.resumable': 'What was downloaded is kept; a retry continues from there.',
  'download.tried': 'Tried in order: {list}',
  'download.attempt.UNREACHABLE': 'unreachable',
  'download.attempt.TIMEOUT': 'no response',
  'download.attempt.NETWORK': 'connection broke off',
  'download.attempt.NOT_FOUND': 'no such file',
  'download.attempt.HTTP_ERROR': 'server error {status}',
  'download.attempt.NOT_BINARY': 'sent a web page',
  'download.attempt.SIZE_MISMATCH': 'wrong file size',
  'download.attempt.CHECKSUM_MISMATCH': 'checksum failed',
  'download.attempt.OTHER': 'failed',
  'download.source.huggingface': 'Hugging Face',
  'download.source.hf-mirror': 'hf-mirror',
  'download.source.modelscope': 'ModelScope',
};

export const downloadMessages: Readonly<Record<DownloadLang, Readonly<Record<DownloadMessageKey, string>>>> = { 'zh-CN': zh, en };

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
}

export function formatBytes(n: number): string {
  if (!(n >= 0)) return '?';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

/** The parameters as text: sizes humanised, unknown ones passed through. */
export function failureVars(params: FailureParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    out[k] = typeof v === 'number' && ['bytes', 'expected', 'need', 'have'].includes(k) ? formatBytes(v) : String(v);
  }
  return out;
}

/** A download source by its name as people know it (魔搭 ModelScope), or as given. */
export function sourceName(lang: DownloadLang, source: string): string {
  const key = `download.source.${source}` as DownloadMessageKey;
  return downloadMessages[lang][key] ?? source;
}

/** What went wrong with one source, in a few words ("连接中断", "server error 503"). */
export function attemptText(lang: DownloadLang, code: string, params: FailureParams): string {
  const m = downloadMessages[lang];
  const key = (`download.attempt.${code}` in m ? `download.attempt.${code}` : 'download.attempt.OTHER') as DownloadMessageKey;
  return fill(m[key], failureVars(params));
}

/** The whole message for a failed download: what failed and what to try, then the sources tried. */
export function downloadFailureText(lang: DownloadLang, f: DownloadFailure): string {
  const m = downloadMessages[lang];
  const code = (DOWNLOAD_ERROR_CODES as readonly string[]).includes(f.code) ? f.code : 'INTERNAL';
  const vars = failureVars(f.params);
  const host = f.params.host;
  if (typeof host === 'string') {
    const known = f.attempts.find((a) => a.params.host === host);
    if (known) vars.host = lang === 'zh-CN' ? `${sourceName(lang, known.source)}（${host}）` : `${sourceName(lang, known.source)} (${host})`;
  }
  const parts = [fill(m[`download.error.${code}` as DownloadMessageKey], vars)];
  if (f.params.resumable === 1 && !['NETWORK', 'TIMEOUT', 'DISK_FULL'].includes(code)) parts.push(m['download.resumable']);
  if (f.attempts.length > 1) {
    const sep = lang === 'zh-CN' ? '；' : '; ';
    const list = f.attempts
      .map((a) => `${sourceName(lang, a.source)}${lang === 'zh-CN' ? '：' : ': '}${attemptText(lang, a.code, a.params)}`)
      .join(sep);
    parts.push(fill(m['download.tried'], { list }));
  }
  return parts.join(lang === 'zh-CN' ? '' : ' ');
}
