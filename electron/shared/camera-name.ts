/**
 * A camera's name as a person reads it, from EXIF Make and Model. Makers write the brand into the
 * model ("Canon" + "Canon DIGITAL IXUS" → "Canon DIGITAL IXUS", "NIKON CORPORATION" + "NIKON D750"
 * → "NIKON D750") or the company's full name into the make ("OLYMPUS IMAGING CORP." + "E-M5" →
 * "OLYMPUS E-M5"), so the two are not simply joined. Spelling and case are kept as the camera
 * wrote them. Checked against rawspeed's camera list (test/data/camera-names/).
 */

/** Words that name a company, not a brand: left out of the make ("LEICA CAMERA AG" → "LEICA"). */
const COMPANY_WORDS = new Set([
  'ag',
  'a/s',
  'camera',
  'co',
  'co.',
  'co.,',
  'co.,ltd',
  'co.,ltd.',
  'company',
  'corp',
  'corp.',
  'corporation',
  'digital',
  'electronics',
  'gmbh',
  'ima',
  'imaging',
  'inc',
  'inc.',
  'limited',
  'ltd',
  'ltd.',
  'mobile',
  'optical',
  'photography',
  'solutions',
  'techwin',
]);

/**
 * Brands a model may start with under another company's make (RICOH IMAGING's "PENTAX K-3",
 * KYOCERA's "CONTAX N Digital"): then the model alone names the camera.
 */
const BRANDS = ['contax', 'kodak', 'konica', 'leica', 'lg', 'minolta', 'nikon', 'olympus', 'pentax', 'ricoh', 'samsung', 'sony', 'yashica'];

const tidy = (s: string | null | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();
const wordsOf = (s: string): string[] => s.toLowerCase().split(/[\s,/]+/).filter(Boolean);
/** "lg-h815" starts with "lg", "nikon1" with "nikon"; "olympusx" and "legria" do not. */
const startsWithWord = (word: string, prefix: string): boolean => word === prefix || (word.startsWith(prefix) && !/\p{L}/u.test(word[prefix.length]!));

/** The make without its company words, trailing punctuation included ("Minolta Co., Ltd." → "Minolta"). */
export function brandOf(make: string | null | undefined): string {
  const words = tidy(make).split(' ').filter(Boolean);
  // Keep the first word whatever it is: "Camera" alone is still a make.
  while (words.length > 1 && COMPANY_WORDS.has(words[words.length - 1]!.toLowerCase().replace(/,$/, ''))) words.pop();
  return words.join(' ').replace(/[,.]+$/, '');
}

export function cameraName(make: string | null | undefined, model: string | null | undefined): string {
  const brand = brandOf(make);
  const m = tidy(model);
  if (!m) return brand;
  if (!brand) return m;
  const first = wordsOf(m)[0] ?? '';
  // The model already says who made it: it starts with a word of the make ("EASTMAN KODAK
  // COMPANY" + "KODAK P880", "Mamiya-OP" + "MAMIYA ZD", "LG Mobile" + "LG-H815") or a known brand.
  const makeWords = wordsOf(tidy(make)).flatMap((w) => [w, ...w.split('-')]);
  if ([...makeWords, ...BRANDS].some((w) => w.length > 1 && startsWithWord(first, w))) return m;
  return `${brand} ${m}`;
}
