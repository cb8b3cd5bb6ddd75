/**
 * What kind of file (截图, 视频) and which camera (用iPhone拍的, 华为, 佳能) a query asks for, on
 * the normalised query. Camera brands map to the EXIF Make values their devices write. A brand that
 * is also an everyday word (苹果 the fruit, 小米 millet, 富士 the mountain) counts only with a
 * camera context: 用苹果拍, 苹果手机, 小米拍的.
 */
import type { CameraReading, KindReading } from './types.ts';

export interface FoundKind {
  start: number;
  end: number;
  kind: KindReading;
}

export interface FoundCamera {
  start: number;
  end: number;
  camera: CameraReading;
}

const KINDS: [RegExp, KindReading][] = [
  [/(?:手机|电脑|屏幕|微信|聊天)?(?:截图|截屏|屏幕快照|屏幕截图)/g, 'screenshot'],
  [/(?:短)?视频|录像|录的像/g, 'video'],
  [/实拍/g, 'photo'],
];

interface Brand {
  pattern: RegExp;
  makes: string[];
  model?: string;
  /** Needs 用…拍 / …手机 / …相机 / …拍的 around it. */
  ambiguous?: boolean;
}

const BRANDS: Brand[] = [
  { pattern: /iphone(?: ?[0-9]{1,2})?(?: ?(?:pro|max|plus|mini))*/y, makes: ['Apple'], model: 'iPhone' },
  { pattern: /ipad/y, makes: ['Apple'], model: 'iPad' },
  { pattern: /苹果/y, makes: ['Apple'], ambiguous: true },
  { pattern: /华为|huawei|mate[0-9]{2}|p[0-9]{2}pro/y, makes: ['HUAWEI'] },
  { pattern: /荣耀|honor/y, makes: ['HONOR', 'HUAWEI'] },
  { pattern: /红米|redmi/y, makes: ['Xiaomi', 'Redmi'], model: 'Redmi' },
  { pattern: /小米/y, makes: ['Xiaomi'], ambiguous: true },
  { pattern: /xiaomi/y, makes: ['Xiaomi'] },
  { pattern: /oppo/y, makes: ['OPPO'] },
  { pattern: /vivo/y, makes: ['vivo'] },
  { pattern: /一加|oneplus/y, makes: ['OnePlus'] },
  { pattern: /魅族|meizu/y, makes: ['Meizu'] },
  { pattern: /三星|samsung|galaxy/y, makes: ['samsung'] },
  { pattern: /谷歌|pixel/y, makes: ['Google'] },
  { pattern: /索尼|sony/y, makes: ['SONY'] },
  { pattern: /佳能|canon/y, makes: ['Canon'] },
  { pattern: /尼康|nikon/y, makes: ['NIKON CORPORATION', 'NIKON'] },
  { pattern: /富士(?!山)|fujifilm|fuji/y, makes: ['FUJIFILM'], ambiguous: true },
  { pattern: /松下|panasonic|lumix/y, makes: ['Panasonic'] },
  { pattern: /奥林巴斯|olympus/y, makes: ['OLYMPUS CORPORATION', 'OLYMPUS IMAGING CORP.', 'OM Digital Solutions'] },
  { pattern: /徕卡|莱卡|leica/y, makes: ['LEICA CAMERA AG', 'Leica Camera AG'] },
  { pattern: /大疆|dji|无人机/y, makes: ['DJI'] },
  { pattern: /理光|ricoh|宾得|pentax/y, makes: ['RICOH IMAGING COMPANY, LTD.', 'PENTAX', 'RICOH'] },
  { pattern: /哈苏|hasselblad/y, makes: ['Hasselblad'] },
  { pattern: /gopro/y, makes: ['GoPro'] },
  { pattern: /影石|insta360/y, makes: ['Arashi Vision', 'Insta360'] },
];

const CAMERA_BEFORE = /(?:用|拿)$/;
const CAMERA_AFTER = /^(?:手机|相机|拍|照的|录)/;

export function findKind(text: string): FoundKind | null {
  for (const [re, kind] of KINDS) {
    re.lastIndex = 0;
    const m = re.exec(text);
    if (m) return { start: m.index, end: m.index + m[0].length, kind };
  }
  return null;
}

export function findCamera(text: string, blocked: (i: number) => boolean): FoundCamera | null {
  for (let i = 0; i < text.length; i++) {
    if (blocked(i)) continue;
    for (const b of BRANDS) {
      b.pattern.lastIndex = i;
      const m = b.pattern.exec(text);
      if (!m) continue;
      const end = i + m[0].length;
      if (b.ambiguous && !CAMERA_BEFORE.test(text.slice(0, i)) && !CAMERA_AFTER.test(text.slice(end))) continue;
      // A model line written with its number (iPhone 15 → iPhone 15) narrows the model.
      const numbered = b.model === 'iPhone' ? m[0].match(/^iphone ?([0-9]{1,2})/) : null;
      const model = numbered ? `iPhone ${numbered[1]}` : b.model;
      return { start: i, end, camera: { name: m[0], makes: b.makes, ...(model ? { model } : {}) } };
    }
  }
  return null;
}
