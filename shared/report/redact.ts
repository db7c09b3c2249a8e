/**
 * Redaction: reports show where a secret is and what it looks like, never the secret.
 *
 * @module
 */

/** Unambiguous anywhere in a name (`PGPASSWORD`, `CLIENT_SECRET`, `XAPIKEY`…). */
const SECRET_SUBSTRING = /password|passwd|passphrase|secret|credential|apikey|privatekey/i
/** Short words that count only as a whole word or a suffix (`NPM_TOKEN`, `NPMTOKEN`, `DB_PWD`; not `TOKENIZERS`, `AUTHOR`). */
const SECRET_WORDS = new Set(['token', 'tokens', 'auth', 'pass', 'pwd', 'pw'])
const SECRET_SUFFIX = /(token|pwd|pass)$/i
/** Two-word names: `API_KEY`, `x-api-key`, `ACCESS_KEY`, `PRIVATE_KEY`, `SESSION_KEY`… */
const SECRET_PAIRS = /(^|[-_])(api|access|private|secret|session|signing|encryption|client|master|account|service)[-_]?key([-_]|$)/i
/** Names that look secret but hold public data or are shell variables. */
const PUBLIC_NAME = /^(gpg_keys?|pwd|oldpwd|.*_(version|sha256|sha512|sha1|md5|checksum|url|path|file|dir|home|host|port|user(name)?|fingerprint|key_?id|keys?_?url))$/i
/** Values that are secrets whatever their name. */
const SECRET_VALUE = [
  /\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b/, // AWS access key ids
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{40,}\b/,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/, // GitLab
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/, // Slack
  /\bsk_live_[A-Za-z0-9]{20,}\b/, // Stripe
  /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, // JWT
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
]
/** `scheme://user:password@host`: the password runs to the last `@` before the host. */
const URL_WITH_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)([^\s/]+)(@)/gi

/** A preview that identifies a secret without revealing it: `AKIA…[redacted, 20 chars]`. */
export function redact(secret: string): string {
  const shown = secret.length >= 16 ? secret.slice(0, 4) : ''
  return `${shown}…[redacted, ${secret.length} chars]`
}

/** True when an env variable looks like it holds a secret, by name or by value. */
export function isSecretEnv(name: string, value: string): boolean {
  if (value === '') return false
  if (!PUBLIC_NAME.test(name)) {
    const words = name.toLowerCase().split(/[^a-z0-9]+/)
    if (SECRET_SUBSTRING.test(name) || SECRET_PAIRS.test(name) || SECRET_SUFFIX.test(name) || words.some((w) => SECRET_WORDS.has(w))) return true
  }
  return SECRET_VALUE.some((pattern) => pattern.test(value))
}

/** `NAME=value` with the value redacted when it looks secret, and URL passwords always hidden. */
export function redactEnvEntry(entry: string): string {
  const eq = entry.indexOf('=')
  if (eq < 0) return entry
  const name = entry.slice(0, eq)
  const value = entry.slice(eq + 1)
  if (isSecretEnv(name, value)) return `${name}=${redact(value)}`
  return `${name}=${redactUrlPasswords(value)}`
}

/** Hides the password of `scheme://user:password@host` URLs inside any text. */
export function redactUrlPasswords(text: string): string {
  return text.replace(URL_WITH_PASSWORD, (_m, head: string, password: string, at: string) => `${head}${redact(password)}${at}`)
}
