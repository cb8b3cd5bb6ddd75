/**
 * Response headers that lock the renderer down, shared by the web server and the desktop
 * protocol. renderer/index.html carries a <meta> CSP too; browsers enforce both, so this header
 * must allow everything the renderer legitimately needs (and nothing more).
 */

export interface CspOptions {
  /** Extra origins images may come from, e.g. `shiguang://media` on the desktop. */
  mediaOrigins?: string[];
}

export function contentSecurityPolicy(opts: CspOptions = {}): string {
  const media = (opts.mediaOrigins ?? []).join(' ');
  const directives = [
    "default-src 'none'",
    "script-src 'self'",
    // No 'unsafe-inline': React sets styles through the CSSOM, which style-src does not govern.
    "style-src 'self'",
    `img-src 'self' ${media} blob: data:`.replace(/\s+/g, ' '),
    `media-src 'self' ${media}`.trim(),
    "font-src 'self' data:",
    `connect-src 'self' ${media}`.trim(),
    "manifest-src 'self'",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ];
  return directives.join('; ');
}

/**
 * Headers for every response: no sniffing, no referrer (the web token is in URLs), no framing.
 * Cross-Origin-Resource-Policy is left to each transport: the desktop page (shiguang://app) loads
 * images cross-origin from shiguang://media, the web page only from its own origin.
 */
export function baseSecurityHeaders(): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}
