/**
 * Which partner the page may read. Its node writes the partner's API origin into the page's CSP
 * (`connect-src`) when it serves the page, and names the same origin in `<meta name="tandem-partner-origin">`
 * (node-core/api/server.ts). A page served before the link named the partner has none: reading the partner
 * then would only be refused by the browser as a CSP violation, so the page shows its own node alone until
 * it is loaded again (docs/auth.md "The admin token and the pair view").
 */

/** The partner origin the page's CSP allows, or null. */
export function allowedPartnerOrigin(doc: Pick<Document, 'querySelector'>): string | null {
  const content = doc.querySelector<HTMLMetaElement>('meta[name="tandem-partner-origin"]')?.content ?? '';
  return content === '' ? null : content;
}

/** True when `apiUrl` is on the partner origin the page may connect to. */
export function mayReadPartner(apiUrl: string, allowed: string | null): boolean {
  if (allowed === null) return false;
  try {
    return new URL(apiUrl).origin === allowed;
  } catch {
    return false;
  }
}
