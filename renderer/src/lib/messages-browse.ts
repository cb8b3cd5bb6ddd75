/** UI strings of browsing without a query: albums, the image-search button, new results (spread into messages.ts). */

export const browseZh = {
  'results.album': '相册：{title}',
  'results.similarToImageFile': '与图片 {name} 相似',
  'album.open': '打开相册“{title}”，{n} 张照片',
  'album.noCover': '还没有可显示的照片',
  'imageSearch.button': '以图搜图',
  'imageSearch.label': '以图搜图：选择一张图片，查找相似的照片',
  'fresh.notice': '有新的结果',
  'fresh.show': '显示新结果',
  'fresh.why': '索引或文字识别有了进展，这个列表加载之后结果有了变化。',
};

export const browseEn: Record<keyof typeof browseZh, string> = {
  'results.album': 'Album: {title}',
  'results.similarToImageFile': 'Similar to image {name}',
  'album.open': 'Open album “{title}”, {n} photos',
  'album.noCover': 'No photo to show yet',
  'imageSearch.button': 'Search by image',
  'imageSearch.label': 'Search by image: choose a picture to find similar photos',
  'fresh.notice': 'New results are available',
  'fresh.show': 'Show new results',
  'fresh.why': 'Indexing or text reading has moved on since this list was loaded.',
};
