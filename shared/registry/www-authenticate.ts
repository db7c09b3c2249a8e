/**
 * Parses `WWW-Authenticate` headers (RFC 7235 §4.1): one or more challenges, each a scheme
 * followed by a token68 or by comma-separated `name=value` parameters whose values may be
 * quoted strings containing commas, colons and escaped quotes (a registry's `scope` does).
 *
 * @example parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"')
 * @module
 */

export interface Challenge {
  /** Lower-cased scheme: `basic`, `bearer`, … */
  scheme: string
  /** Parameters with lower-cased names. */
  params: Record<string, string>
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/

/** Parses every challenge in a header value; malformed tails are dropped, never thrown. */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = []
  let i = 0
  const n = header.length

  const skipSpace = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++
  }
  const readToken = (): string => {
    const start = i
    while (i < n && TOKEN_CHAR.test(header[i]!)) i++
    return header.slice(start, i)
  }
  const readQuoted = (): string => {
    // at the opening quote
    i++
    let out = ''
    while (i < n && header[i] !== '"') {
      if (header[i] === '\\' && i + 1 < n) i++
      out += header[i]
      i++
    }
    i++ // closing quote (or end)
    return out
  }

  while (i < n) {
    skipSpace()
    while (i < n && header[i] === ',') {
      i++
      skipSpace()
    }
    const scheme = readToken()
    if (!scheme) break
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} }
    challenges.push(challenge)
    skipSpace()
    // parameters until the next scheme (a token not followed by '=')
    while (i < n) {
      const save = i
      skipSpace()
      const name = readToken()
      skipSpace()
      if (!name || header[i] !== '=') {
        // token68 (e.g. `Negotiate abc==`) or the start of the next challenge
        i = save
        if (name && Object.keys(challenge.params).length === 0 && header[i] !== ',') {
          // token68 form: consume it
          skipSpace()
          while (i < n && header[i] !== ',') i++
        }
        break
      }
      i++ // '='
      skipSpace()
      const value = header[i] === '"' ? readQuoted() : readToken()
      challenge.params[name.toLowerCase()] = value
      skipSpace()
      if (header[i] === ',') {
        i++
        // a comma may separate parameters or challenges: look ahead for `token =`
        const look = i
        skipSpace()
        readToken()
        skipSpace()
        const nextIsParam = header[i] === '='
        i = look
        if (!nextIsParam) break
      } else {
        break
      }
    }
  }
  return challenges
}
