/**
 * Camera names in the viewer: the make not repeated ("Canon Canon DIGITAL IXUS", issue 22), the
 * company's full name shortened, checked on 870 real make/model pairs and the clean names rawspeed
 * curates for them (test/fixtures/camera-names/README.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { brandOf, cameraName } from '../../electron/shared/camera-name.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const rows = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/camera-names/rawspeed-cameras.json'), 'utf8')) as [string, string, string, string][];
const norm = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, ' ').trim();
const tidy = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('cameraName', () => {
  it('leaves the make out when the model already names it', () => {
    expect(cameraName('Canon', 'Canon DIGITAL IXUS')).toBe('Canon DIGITAL IXUS');
    expect(cameraName('NIKON CORPORATION', 'NIKON D750')).toBe('NIKON D750');
    // Immich's test assets.
    expect(cameraName('NIKON CORPORATION', 'NIKON D80')).toBe('NIKON D80');
    expect(cameraName('NIKON CORPORATION', 'NIKON D700')).toBe('NIKON D700');
  });

  it('puts the brand before a model that does not say it, without the company words', () => {
    expect(cameraName('SONY', 'DSLR-A550')).toBe('SONY DSLR-A550');
    expect(cameraName('Apple', 'iPhone 7')).toBe('Apple iPhone 7');
    expect(cameraName('OLYMPUS IMAGING CORP.', 'E-M5')).toBe('OLYMPUS E-M5');
    expect(cameraName('Minolta Co., Ltd.', 'DiMAGE 7')).toBe('Minolta DiMAGE 7');
    expect(cameraName('LEICA CAMERA AG', 'M10')).toBe('LEICA M10');
    expect(brandOf('SAMSUNG TECHWIN Co.')).toBe('SAMSUNG');
  });

  it('a model under another company\'s make that names its own brand stands alone', () => {
    expect(cameraName('RICOH IMAGING COMPANY, LTD.', 'PENTAX K-3')).toBe('PENTAX K-3');
    expect(cameraName('LG Mobile', 'LG-H815')).toBe('LG-H815');
    expect(cameraName('EASTMAN KODAK COMPANY', 'KODAK P880 ZOOM DIGITAL CAMERA')).toBe('KODAK P880 ZOOM DIGITAL CAMERA');
  });

  it('one of the two missing, spaces from fixed-width fields', () => {
    expect(cameraName(null, 'iPhone 13')).toBe('iPhone 13');
    expect(cameraName('NIKON CORPORATION', null)).toBe('NIKON');
    expect(cameraName(null, null)).toBe('');
    expect(cameraName('  Canon ', 'Canon   EOS 80D  ')).toBe('Canon EOS 80D');
  });

  it('on every rawspeed camera: the brand never twice, the model kept whole', () => {
    expect(rows.length).toBeGreaterThan(800);
    for (const [make, model] of rows) {
      const name = cameraName(make, model);
      expect(name, `${make} / ${model}`).not.toMatch(/^(\S+)\s+\1(\s|$)/i);
      expect(name, `${make} / ${model}`).toContain(tidy(model));
    }
  });

  it('equals rawspeed\'s clean name wherever rawspeed keeps the model as the camera wrote it', () => {
    // rawspeed also renames models ("EOS 300D DIGITAL" → "EOS 300D") and makes (KONICA MINOLTA →
    // Minolta); those are its choices, not a repeated make, so they are left out here.
    const kept = rows.filter(([make, model, cleanMake, cleanModel]) => {
      const sameModel = norm(model) === norm(cleanModel) || norm(model) === norm(`${cleanMake} ${cleanModel}`);
      const sameBrand = norm(brandOf(make)) === norm(cleanMake) || norm(model).startsWith(norm(cleanMake));
      return sameModel && sameBrand;
    });
    expect(kept.length).toBeGreaterThan(700);
    const wrong = kept.filter(([make, model, cleanMake, cleanModel]) => norm(cameraName(make, model)) !== norm(`${cleanMake} ${cleanModel}`));
    expect(wrong.map(([make, model, m, c]) => `${make} / ${model} → ${cameraName(make, model)} (rawspeed: ${m} ${c})`)).toEqual([]);
  });
});
