/** File names in the viewer wrap at separators and before the extension, never inside it (issue 22: ".JPE / G"). */
import { describe, expect, it } from 'vitest';
import { fileNamePieces } from '../../renderer/src/lib/fileName.ts';

describe('fileNamePieces', () => {
  it('keeps the extension whole and cuts the stem after separators', () => {
    expect(fileNamePieces('DSC_0001.JPEG')).toEqual({ stem: ['DSC_', '0001'], ext: '.JPEG' });
    expect(fileNamePieces('IMG_20240101_123456.jpg')).toEqual({ stem: ['IMG_', '20240101_', '123456'], ext: '.jpg' });
    expect(fileNamePieces('Screenshot_20261127-093000.png')).toEqual({ stem: ['Screenshot_', '20261127-', '093000'], ext: '.png' });
    expect(fileNamePieces('n02088094_Afghan_hound.JPEG')).toEqual({ stem: ['n02088094_', 'Afghan_', 'hound'], ext: '.JPEG' });
    expect(fileNamePieces('my holiday photo.heic')).toEqual({ stem: ['my ', 'holiday ', 'photo'], ext: '.heic' });
  });

  it('Chinese names, several dots, no extension, a dot file', () => {
    expect(fileNamePieces('微信图片_20240101.jpg')).toEqual({ stem: ['微信图片_', '20240101'], ext: '.jpg' });
    expect(fileNamePieces('archive.2024.05.tiff')).toEqual({ stem: ['archive.', '2024.', '05'], ext: '.tiff' });
    expect(fileNamePieces('README')).toEqual({ stem: ['README'], ext: '' });
    expect(fileNamePieces('.hidden')).toEqual({ stem: ['.hidden'], ext: '' });
    expect(fileNamePieces('name.with a space')).toEqual({ stem: ['name.', 'with ', 'a ', 'space'], ext: '' });
  });

  it('the pieces put back together are the name', () => {
    for (const name of ['DSC_0001.JPEG', 'a--b__c.d.e.png', '___.jpg', 'x.', '照片 2024-05-01 (1).HEIC']) {
      const { stem, ext } = fileNamePieces(name);
      expect(stem.join('') + ext).toBe(name);
    }
  });
});
