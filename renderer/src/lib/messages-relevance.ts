/**
 * UI strings of results that end (the relevance boundary): the header's count, the weaker rest
 * behind a button, each photo's relevance and the setting that moves the boundary (spread into
 * messages.ts).
 */

export const relevanceZh = {
  'results.noneRelevantHint': '图库里没有和这次搜索明显相关的照片。可以换个说法，或在设置里把“结果范围”调宽一些。',
  'results.weakerStart': '以下相关度较低',
  'hit.relevance': '相关度 {pct}',
  'hit.labelRelevance': '{name}，相关度 {pct}',
  'hit.labelRelevanceText': '{name}，相关度 {pct}，文字“{text}”',
  'hit.labelVideoRelevance': '视频 {name}，{from} 至 {to}，相关度 {pct}',
  'hit.weaker': '相关度较低',
  'settings.sensitivity': '结果范围',
  'settings.sensitivityLabel': '搜索结果在哪里结束',
  'settings.sensitivityStrict': '更严格',
  'settings.sensitivityBroad': '更宽松',
  'settings.sensitivityHint':
    '每次搜索都会按这次查询的分数分布，找出明显相关的照片；其余的放在“显示更多相关度较低的照片”后面。向左只留最明确的结果，向右也算上较弱的。',
  'settings.sensitivity.-3': '最严格',
  'settings.sensitivity.-2': '很严格',
  'settings.sensitivity.-1': '稍严格',
  'settings.sensitivity.0': '默认',
  'settings.sensitivity.1': '稍宽松',
  'settings.sensitivity.2': '很宽松',
  'settings.sensitivity.3': '最宽松',
};

export const relevanceEn: Record<keyof typeof relevanceZh, string> = {
  'results.noneRelevantHint': 'Nothing in the library clearly matches this search. Try other words, or widen “Result range” in Settings.',
  'results.weakerStart': 'Lower relevance from here',
  'hit.relevance': 'relevance {pct}',
  'hit.labelRelevance': '{name}, relevance {pct}',
  'hit.labelRelevanceText': '{name}, relevance {pct}, text “{text}”',
  'hit.labelVideoRelevance': 'Video {name}, {from} to {to}, relevance {pct}',
  'hit.weaker': 'Lower relevance',
  'settings.sensitivity': 'Result range',
  'settings.sensitivityLabel': 'Where search results end',
  'settings.sensitivityStrict': 'Stricter',
  'settings.sensitivityBroad': 'Broader',
  'settings.sensitivityHint':
    'Each search works out, from the scores of that query, which photos clearly match; the rest wait behind “Show more photos with lower relevance”. Left keeps only the clearest results, right counts weaker ones too.',
  'settings.sensitivity.-3': 'Strictest',
  'settings.sensitivity.-2': 'Very strict',
  'settings.sensitivity.-1': 'Slightly strict',
  'settings.sensitivity.0': 'Default',
  'settings.sensitivity.1': 'Slightly broad',
  'settings.sensitivity.2': 'Very broad',
  'settings.sensitivity.3': 'Broadest',
};
