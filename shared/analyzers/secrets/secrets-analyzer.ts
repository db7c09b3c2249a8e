/**
 * The secrets file analyzer: asks for the content of every regular text file of a sensible
 * size (and of every file whose name says it holds credentials), skips binary content, and
 * reports what {@link scanText} finds, one finding per secret, with its line and a redacted
 * preview. The scan fills in the layer and the path.
 *
 * @module
 */
import type { DraftFinding, FileAnalyzer } from '../analyzer.js'
import type { EntryRecord } from '../../layers/layer-result.js'
import type { Rule } from '../rule.js'
import { findingOf } from '../rule.js'
import { isAlwaysInScope, matchingPathRule } from './allow-rules.js'
import { CONFIG_SECRET_RULES } from './scan-config.js'
import { scanText } from './scan-text.js'
import { SECRET_RULES, secretRuleById } from './secret-rules.js'

export const SECRETS_ANALYZER_ID = 'secrets'

/** Larger files are not read (Trivy warns at the same size; real credentials files are tiny). */
export const MAX_SECRET_FILE_BYTES = 10 * 1024 * 1024
/** How much of the start of a file decides whether it is binary. */
const BINARY_SNIFF_BYTES = 8 * 1024
/** More invalid UTF-8 than this share of the sniffed characters means binary. */
const MAX_INVALID_UTF8_RATIO = 0.1

/** Every rule the secret scanners can report: the file rules, then the image-config rules. */
export const secretRules: Rule[] = [...SECRET_RULES.map((rule) => secretRuleById(rule.id)!), ...CONFIG_SECRET_RULES]

/**
 * Files whose names say they hold credentials: always read (whatever their extension says),
 * though the path allow rules still apply to them unless they are {@link isAlwaysInScope}.
 */
const SENSITIVE_NAME =
  /(?:^|\/)(?:\.env(?:\.[^/]*)?|id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?|[^/]+\.(?:pem|key|ppk|kubeconfig|pgpass|netrc)|credentials(?:\.[a-z]+)?|\.npmrc|\.pypirc|[._]netrc|\.git-credentials|\.pgpass|\.my\.cnf|\.mylogin\.cnf|\.htpasswd|\.vault-token|settings(?:-security)?\.xml|wp-config\.php|nuget\.config|service[-_]?account[^/]*\.json)$/i
const SENSITIVE_PATH = /(?:^|\/)(?:\.docker\/config\.json|\.kube\/config|\.aws\/config|\.gem\/credentials)$/

/** True for files whose name or place says they hold credentials. */
export function isSensitivePath(path: string): boolean {
  return SENSITIVE_NAME.test(path) || SENSITIVE_PATH.test(path) || isAlwaysInScope(path)
}

/**
 * Names of files that are binary by format: images, audio and video, archives and packages,
 * fonts, compiled code (shared and static libraries, objects, Python bytecode, Java classes),
 * databases and disk images. `.pyc` files are skipped too: the `.py` next to them is scanned,
 * and the strings in bytecode would repeat its findings.
 */
const BINARY_NAME =
  /\.(?:png|jpe?g|gif|bmp|ico|icns|webp|tiff?|psd|xcf|heic|avif|mp[34]|m4[av]|avi|mov|mkv|webm|wav|flac|ogg|oga|opus|aac|mid|zip|gz|tgz|bz2|tbz2?|xz|txz|zst|lz4?|lzma|7z|rar|tar|jar|war|ear|aar|whl|egg|deb|udeb|rpm|apk|snap|woff2?|ttf|otf|eot|pfb|pcf|so|so\.[0-9.]+|a|o|ko|lo|dll|exe|dylib|bin|pyc|pyo|class|dex|wasm|beam|db|sqlite3?|mdb|iso|img|qcow2|vmdk|pdf|gpg|kbx)$/i

/**
 * The distribution's binary and library directories. What is large there is compiled code
 * (executables and libraries without a telling extension); scripts there are small.
 */
const SYSTEM_BINARY_DIRECTORY = /^\/(?:usr\/)?(?:s?bin|lib(?:32|64|x32|exec)?)\//
/** Files above this size in {@link SYSTEM_BINARY_DIRECTORY} are taken for compiled code and not read. */
const MAX_SYSTEM_SCRIPT_BYTES = 64 * 1024

/** Cheap, by name and size only: does the analyzer want this entry's content? */
export function wantsSecretScan(path: string, entry: EntryRecord): boolean {
  if (entry.type !== 'file' || entry.size === 0 || entry.size > MAX_SECRET_FILE_BYTES) return false
  // each path is tested against the always-in-scope patterns once: past this line it is not
  if (isAlwaysInScope(path)) return true
  if (SENSITIVE_NAME.test(path) || SENSITIVE_PATH.test(path)) return matchingPathRule(path) === undefined
  if (BINARY_NAME.test(path)) return false
  if (entry.size > MAX_SYSTEM_SCRIPT_BYTES && SYSTEM_BINARY_DIRECTORY.test(path)) return false
  return matchingPathRule(path) === undefined
}

/**
 * The file's text, or undefined for binary content: a NUL byte or more than 10 % invalid
 * UTF-8 in the first 8 KiB. UTF-16 with a byte order mark is decoded.
 */
export function decodeText(content: Buffer): string | undefined {
  if (content.length >= 2) {
    const bom = content.readUInt16BE(0)
    if (bom === 0xfffe) return content.subarray(2).toString('utf16le')
    if (bom === 0xfeff) {
      const swapped = Buffer.from(content.subarray(2, 2 + ((content.length - 2) & ~1)))
      return swapped.swap16().toString('utf16le')
    }
  }
  const sniff = content.subarray(0, BINARY_SNIFF_BYTES)
  if (sniff.includes(0)) return undefined
  const decoded = sniff.toString('utf8')
  let invalid = 0
  for (let i = decoded.indexOf('\ufffd'); i !== -1; i = decoded.indexOf('\ufffd', i + 1)) invalid++
  // a multi-byte character cut at the end of the sniffed bytes is not invalid
  if (content.length > BINARY_SNIFF_BYTES && decoded.endsWith('\ufffd')) invalid--
  if (decoded.length > 0 && invalid / decoded.length > MAX_INVALID_UTF8_RATIO) return undefined
  return content.toString('utf8')
}

/** Private keys in an SSH directory are someone's login: reported one level up, as critical. */
const SSH_DIRECTORY = /^\/(?:root|home\/[^/]+)\/\.ssh\//

export const secretsAnalyzer: FileAnalyzer = {
  kind: 'file',
  id: SECRETS_ANALYZER_ID,
  version: 3,
  wants: wantsSecretScan,
  // binary content is recognised from its first bytes: the rest is never held
  wantsHead: (head, path) => isSensitivePath(path) || decodeText(head) !== undefined,
  analyze({ path, content }) {
    const text = decodeText(content)
    if (text === undefined) return {}
    const findings: DraftFinding[] = []
    for (const match of scanText(text, path)) {
      const rule = secretRuleById(match.ruleId)
      if (rule === undefined) continue
      const severity = rule.id.startsWith('secret-private-key-') && SSH_DIRECTORY.test(path) ? 'critical' : rule.severity
      findings.push(findingOf(rule, { line: match.line }, match.evidence, severity))
    }
    return findings.length === 0 ? {} : { findings }
  },
}
