/**
 * Web-mode access token handling, as pure string functions so it can be unit-tested without a DOM.
 * The server prints a URL with ?token=…; we take it once, keep it in sessionStorage and scrub it from
 * the address bar so it does not end up in screenshots, history or bookmarks.
 */

export interface TokenFromUrl {
  token: string | null;
  /** The same URL without the token parameter (path + remaining query + hash). */
  cleanUrl: string;
}

export function takeTokenFromUrl(href: string): TokenFromUrl {
  const url = new URL(href);
  const token = url.searchParams.get('token');
  url.searchParams.delete('token');
  const search = url.searchParams.toString();
  return {
    token: token && token.length > 0 ? token : null,
    cleanUrl: `${url.pathname}${search ? `?${search}` : ''}${url.hash}`,
  };
}

export const TOKEN_STORAGE_KEY = 'shiguang.token';
