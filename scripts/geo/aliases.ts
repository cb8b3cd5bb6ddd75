/**
 * The names a person uses for a place, derived from its official name: 陕西省 → 陕西,
 * 哈尔滨市 → 哈尔滨, 延边朝鲜族自治州 → 延边, 朝阳区 → 朝阳 (weak: also a word), 大阪府 → 大阪.
 */

// The 55 recognised minorities, as they appear inside autonomous-area names (族 optional there:
// 博尔塔拉蒙古自治州, 克孜勒苏柯尔克孜自治州).
const ETHNIC = '蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺';
const ETHNIC_TAIL = new RegExp(`(?:(?:${ETHNIC})族?)+$`);

/** The name without its autonomy suffix and the peoples named before it. */
function stripAutonomy(name: string, suffix: RegExp): string {
  const m = name.match(suffix);
  if (!m) return name;
  const base = name.slice(0, m.index).replace(ETHNIC_TAIL, '');
  return base.length >= 2 ? base : name;
}

const unique = (xs: string[]): string[] => [...new Set(xs.filter((x) => x.length >= 2))];

export function provinceAliases(name: string): string[] {
  const short = name.replace(/(?:省|市|特别行政区|(?:壮族|回族|维吾尔)?自治区)$/, '');
  return unique([name, short]);
}

export function chinaCityAliases(name: string): string[] {
  let short = name.replace(/(?:市|地区|盟)$/, '');
  if (/自治州$/.test(name)) short = stripAutonomy(name, /自治州$/);
  return unique([name, short]);
}

/** Full name (strong) and the short form (weak when it is a different string). */
export function districtAliases(name: string): { strong: string[]; weak: string[] } {
  let short = name;
  if (/自治[县旗]$/.test(name)) short = stripAutonomy(name, /自治[县旗]$/);
  else short = name.replace(/(?:新区|林区|特区|矿区|区|县|市|旗)$/, '');
  const weak = short.length >= 2 && short !== name ? [short] : [];
  return { strong: unique([name]), weak };
}

/** States elsewhere: 大阪府 → 大阪, 加利福尼亚州 → 加利福尼亚 (北海道 stays whole). */
export function stateAliases(name: string): string[] {
  const short = name.replace(/(?:都|府|县|州|省)$/, '');
  return unique([name, short]);
}

export function worldCityAliases(names: string[]): string[] {
  return unique(names.flatMap((n) => [n, n.replace(/市$/, '')]));
}
