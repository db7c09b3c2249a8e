/**
 * Signing certificates of keyless (Sigstore Fulcio) signatures: who they name.
 *
 * Fulcio puts the signer's identity in the certificate's subjectAltName: an `email:` for a
 * person who signed in with an OIDC provider, a `URI:` for a workload (for GitHub Actions,
 * `https://github.com/OWNER/REPO/.github/workflows/FILE@REF`).
 *
 * @see https://github.com/sigstore/fulcio/blob/main/docs/certificate-specification.md
 * @module
 */
import { X509Certificate } from 'node:crypto'

/** One subjectAltName entry, e.g. `{ type: 'email', value: 'dev@example.com' }`. */
export interface AltName {
  type: string
  value: string
}

/** Parses a PEM certificate (the first one when several are given); undefined when it does not parse. */
export function readCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem)
  } catch {
    return undefined
  }
}

/**
 * Parses Node's rendering of subjectAltName (`X509Certificate.subjectAltName`):
 * `type:value` entries separated by `, `, where a value holding a comma or a quote is a JSON
 * string (`URI:"https://x/a\u002cb"`).
 *
 * @example parseSubjectAltName('email:a@b.c, URI:https://x') // [{type:'email',value:'a@b.c'},{type:'URI',value:'https://x'}]
 */
export function parseSubjectAltName(text: string): AltName[] {
  const names: AltName[] = []
  let at = 0
  while (at < text.length) {
    const colon = text.indexOf(':', at)
    if (colon === -1) break
    const type = text.slice(at, colon).trim()
    let value: string
    let next: number
    if (text[colon + 1] === '"') {
      const end = closingQuote(text, colon + 2)
      if (end === -1) break
      try {
        value = JSON.parse(text.slice(colon + 1, end + 1)) as string
      } catch {
        break
      }
      next = text.indexOf(', ', end + 1)
    } else {
      next = text.indexOf(', ', colon + 1)
      value = text.slice(colon + 1, next === -1 ? undefined : next)
    }
    names.push({ type, value })
    if (next === -1) break
    at = next + 2
  }
  return names
}

function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === '"') return i
  }
  return -1
}

/**
 * The identity a signing certificate names: its first `email:` subjectAltName, else its
 * first `URI:`, else its subject.
 */
export function certificateIdentity(certificate: X509Certificate): string {
  const names = parseSubjectAltName(certificate.subjectAltName ?? '')
  const email = names.find((name) => name.type === 'email')
  const uri = names.find((name) => name.type === 'URI')
  return email?.value ?? uri?.value ?? certificate.subject
}
