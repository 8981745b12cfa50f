import { describe, expect, it } from 'vitest';
import { allowedPartnerOrigin, mayReadPartner } from './partner-reach.ts';

function page(meta: string | null): Pick<Document, 'querySelector'> {
  const doc = document.implementation.createHTMLDocument('dashboard');
  if (meta !== null) {
    const element = doc.createElement('meta');
    element.name = 'tandem-partner-origin';
    element.content = meta;
    doc.head.append(element);
  }
  return doc;
}

describe('the partner the page may read', () => {
  it('is the origin its node named beside the CSP, and only that one', () => {
    const allowed = allowedPartnerOrigin(page('http://10.0.0.12:8088'));
    expect(allowed).toBe('http://10.0.0.12:8088');
    expect(mayReadPartner('http://10.0.0.12:8088/', allowed)).toBe(true);
    expect(mayReadPartner('http://10.0.0.12:8089', allowed)).toBe(false);
    expect(mayReadPartner('https://10.0.0.12:8088', allowed)).toBe(false);
    expect(mayReadPartner('not a url', allowed)).toBe(false);
  });

  it('is none for a page served before the link named a partner, or without the tag', () => {
    expect(allowedPartnerOrigin(page(''))).toBeNull();
    expect(allowedPartnerOrigin(page(null))).toBeNull();
    expect(mayReadPartner('http://10.0.0.12:8088', null)).toBe(false);
  });
});
