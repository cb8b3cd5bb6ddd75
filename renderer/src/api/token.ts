/**
 * Web-mode access token handling, as pure string functions so it can be unit-tested without a DOM.
 * The server prints a URL with ?token=…; we take it once, keep it in sessionStorage and scrub it from
 * the address bar so it does not end up in screenshots, history or bookmarks.
 *
 * Loading that URL also gives the browser a session cookie (HttpOnly, SameSite=Strict; see
 * electron/server/web-server.ts). A second tab, a reload or a bookmark of the bare address has no
 * token here — sessionStorage is per tab — and needs none: its requests carry the cookie, so the
 * transport simply sends no Authorization header.
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
