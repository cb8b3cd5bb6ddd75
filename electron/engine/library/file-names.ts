/**
 * File names as the library can store them. Linux names are bytes, and old disks, Windows shares
 * and archives extracted with the wrong code page hold names that are not valid UTF-8. Node would
 * decode them lossily (U+FFFD), giving a path that does not exist, so such files silently vanished
 * from the counts. The library stores paths as TEXT, and sharp, the media protocol and the UI all
 * take string paths, so these files are not indexed: the scanner reads folders with Buffer names,
 * and a name that is not valid UTF-8 gets a display path with each invalid byte written as \xNN
 * (the valid parts kept as they are) and is recorded as skipped `unreadable-name`, so the person
 * sees which file it is and that renaming it makes it searchable.
 */
const strict = new TextDecoder('utf-8', { fatal: true });

function validSequenceLength(b: Buffer, i: number): number {
  const lead = b[i];
  const len = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (len === 0 || i + len > b.length) return 0;
  try {
    strict.decode(b.subarray(i, i + len)); // rejects bad continuations, overlongs, surrogates
    return len;
  } catch {
    return 0;
  }
}

export interface DecodedName {
  /** The name as text: exact when valid, else with \xNN for every byte that is not UTF-8. */
  text: string;
  valid: boolean;
}

export function decodeName(raw: Buffer): DecodedName {
  try {
    return { text: strict.decode(raw), valid: true };
  } catch {
    let text = '';
    for (let i = 0; i < raw.length; ) {
      const n = validSequenceLength(raw, i);
      if (n > 0) {
        text += raw.toString('utf8', i, i + n);
        i += n;
      } else {
        text += `\\x${raw[i].toString(16).toUpperCase().padStart(2, '0')}`;
        i++;
      }
    }
    return { text, valid: false };
  }
}

export function unreadableNameReason(): string {
  return 'unreadable-name: the file name is not valid UTF-8 (invalid bytes shown as \\xNN); rename the file to index it';
}
