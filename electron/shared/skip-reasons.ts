/**
 * Why a file was skipped, in the person's language — the app's words, shared with the CLI. The
 * engine records a skip as `<reason>: <detail>` (index/encode-pipeline.ts describeFailure;
 * media/errors.ts, video/errors.ts, library/link-policy.ts own the reasons); the detail is the
 * decoder's English, for logs, so only the reason is worded. Pure data and string functions:
 * shared by every process (the renderer's catalogue includes these keys).
 */

export const SKIP_REASONS = [
  'empty-file',
  'not-an-image',
  'truncated',
  'too-large',
  'unsupported-format',
  'decode-failed',
  'unreadable',
  'symlink',
  'unreadable-name',
  'vanished',
  'not-a-video',
  'audio-only',
  'unsupported-codec',
  'timeout',
  'aborted',
  'still-changing',
  'decoder-missing',
] as const;

const zh = {
  'skipReason.empty-file': '文件是空的',
  'skipReason.not-an-image': '不是图片文件',
  'skipReason.truncated': '文件不完整（可能没有复制完）',
  'skipReason.too-large': '图片太大，无法处理',
  'skipReason.unsupported-format': '不支持的图片格式',
  'skipReason.decode-failed': '文件已损坏，无法读取',
  'skipReason.unreadable': '无法读取（没有权限或读取出错）',
  'skipReason.symlink': '这是一个链接，拾光不跟随链接',
  'skipReason.unreadable-name': '文件名无法识别',
  'skipReason.vanished': '文件在读取时消失了',
  'skipReason.not-a-video': '不是视频文件',
  'skipReason.audio-only': '只有声音，没有画面',
  'skipReason.unsupported-codec': '不支持的视频编码',
  'skipReason.timeout': '处理超时',
  'skipReason.aborted': '处理被中断，下次会继续',
  'skipReason.still-changing': '文件还在写入，稍后会再试',
  'skipReason.decoder-missing': '这台电脑缺少视频解码器',
  'skipReason.other': '无法读取这个文件',
} as const;

export type SkipMessageKey = keyof typeof zh;

const en: Record<SkipMessageKey, string> = {
  'skipReason.empty-file': 'the file is empty',
  'skipReason.not-an-image': 'not an image file',
  'skipReason.truncated': 'the file is incomplete (perhaps not fully copied)',
  'skipReason.too-large': 'the image is too large to process',
  'skipReason.unsupported-format': 'an image format that is not supported',
  'skipReason.decode-failed': 'the file is damaged and cannot be read',
  'skipReason.unreadable': 'cannot be read (no permission, or a read error)',
  'skipReason.symlink': 'a link; Shiguang does not follow links',
  'skipReason.unreadable-name': 'the file name cannot be read',
  'skipReason.vanished': 'the file went away while it was read',
  'skipReason.not-a-video': 'not a video file',
  'skipReason.audio-only': 'sound only, no picture',
  'skipReason.unsupported-codec': 'a video codec that is not supported',
  'skipReason.timeout': 'processing took too long',
  'skipReason.aborted': 'processing was interrupted; it continues next time',
  'skipReason.still-changing': 'the file is still being written; it is tried again later',
  'skipReason.decoder-missing': 'this computer has no video decoder',
  'skipReason.other': 'this file cannot be read',
};

export const skipMessages: Readonly<Record<'zh-CN' | 'en', Readonly<Record<SkipMessageKey, string>>>> = { 'zh-CN': zh, en };

/** The catalogue key for a recorded skip: its reason when it is a known one, else "cannot be read". */
export function skipReasonKey(raw: string | null | undefined): SkipMessageKey {
  const code = (raw ?? '').split(':')[0]!.trim();
  return (SKIP_REASONS as readonly string[]).includes(code) ? (`skipReason.${code}` as SkipMessageKey) : 'skipReason.other';
}
