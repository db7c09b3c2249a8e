/**
 * The secret rules: what a leaked credential looks like, one rule per credential type.
 *
 * Every pattern is written here from the token formats that the vendors document (prefixes,
 * lengths, alphabets); nothing is copied from other scanners. Each pattern has a named group
 * `secret` (the part that is redacted, measured for entropy and compared with the allow
 * rules) and may have a group `name` (the variable or key it was assigned to, shown in the
 * evidence). `keywords` are lower-case literals of which at least one must occur in the text
 * before the pattern runs at all: one pass over the text finds which keywords occur, and most
 * rules never run on most files.
 *
 * Rules are ordered from the most specific to the most generic: when two rules find the same
 * secret, the scan keeps the first (a GitHub token assigned to `token = "…"` is reported as a
 * GitHub token, not as a generic token).
 *
 * @module
 */
import { defineRule, type Rule } from '../rule.js'
import type { Severity } from '../../report/model.js'

export type SecretSeverity = Exclude<Severity, 'info'>

/**
 * What kind of value a rule finds, which decides which allow rules apply to it:
 * - `token`: a vendor-format token (fixed prefix or shape);
 * - `key`: key material (a PEM body, a base64 key file): long random text where a run of
 *   `AAAA` or the letters `xxxx` occur by chance, so only documentation markers apply;
 * - `password`: a free-form value a person chose (passwords, generic assignments): weak
 *   defaults, placeholders and words like `password` in the value are all treated as not a secret.
 */
export type SecretKind = 'token' | 'key' | 'password'

export interface SecretRule {
  /** Stable, kebab-case, prefixed `secret-`. */
  readonly id: string
  readonly title: string
  readonly severity: SecretSeverity
  /** Lower-case literals; the pattern runs only when one of them occurs in the lower-cased text. */
  readonly keywords: readonly string[]
  /** Has a named group `secret`; may have a named group `name`. Flags other than `i`/`m`/`s` are ignored. */
  readonly pattern: RegExp
  /** Minimum Shannon entropy of the `secret` group, in bits per character. */
  readonly minEntropy?: number
  readonly description: string
  readonly remediation: string
  /** Defaults to `token`. */
  readonly kind?: SecretKind
  /** When set, the rule applies only to files whose path matches (formats with a fixed file name). */
  readonly path?: RegExp
  /** A further check on the secret and the whole match (e.g. that a JWT header decodes to JSON). */
  readonly validate?: (secret: string, match: RegExpExecArray) => boolean
}

/** A token character for most vendors: base64url plus nothing else. */
const T = 'A-Za-z0-9_-'

/**
 * `secret` = `body`, not glued to other token characters on either side (`=` is padding, so
 * it may precede a token: `KEY=token`).
 */
function token(body: string, chars: string = T): RegExp {
  return new RegExp(`(?<![${chars.replace('=', '')}])(?<secret>${body})(?![${chars}])`)
}

/** What sits between a name and its value: quotes, brackets, `=`, `:`, `:=`, `=>`, `,` (XML `>` too). */
const ASSIGN = String.raw`["'\]>]?[ \t]*(?::=|=>|[:=,>])[ \t]*["']?`

/** `name … = value` where `value` matches `value` (a regex source) and stands alone. */
function assigned(name: string, value: string, flags = 'i'): RegExp {
  return new RegExp(`(?<name>${name})${ASSIGN}(?<secret>${value})(?![A-Za-z0-9_+/=-])`, flags)
}

function rule(definition: SecretRule): SecretRule {
  return Object.freeze(definition)
}

const REVOKE = (where: string): string =>
  `Revoke the credential now in ${where} (it was published with the image), issue a new one, and pass it at run time (a secret store, a mounted file, or an environment variable set when the container starts) instead of baking it into the image.`

const PROD = 'Anyone who can pull the image can read it and act with its rights.'

// ─── helpers for validation ───────────────────────────────────────────────────────────────

/** Decodes base64 or base64url (padding optional) to text; undefined when it is not base64. */
export function decodeBase64(value: string): string | undefined {
  const clean = value.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean)) return undefined
  try {
    return Buffer.from(clean.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')
  } catch {
    return undefined
  }
}

function jsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined
  try {
    const value: unknown = JSON.parse(text)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** A signed JWT: the header is a JSON object with an `alg` other than `none`; not the jwt.io sample. */
export function isSignedJwt(value: string): boolean {
  const [header, payload] = value.split('.')
  const alg = jsonObject(decodeBase64(header ?? ''))?.alg
  if (typeof alg !== 'string' || alg.toLowerCase() === 'none') return false
  // jwt.io's sample token ("John Doe", sub 1234567890) is in every tutorial
  const claims = jsonObject(decodeBase64(payload ?? ''))
  return !(claims?.sub === '1234567890' && claims?.name === 'John Doe')
}

/** PEM-like body: once headers, escaped newlines, quotes and string-joining punctuation are removed, at least 64 base64 characters and nothing else. */
export function looksLikeKeyBody(body: string): boolean {
  const lines = body
    .split(/\r?\n|\\r\\n|\\n/)
    .filter((line) => !/^\s*["'`]?\s*[A-Za-z][A-Za-z0-9-]*:\s/.test(line))
    .join('')
  const base64 = lines.replace(/\\[nrt]|[\s"'`,;\\+]/g, '')
  return base64.length >= 64 && /^[A-Za-z0-9/=]+$/.test(base64.replace(/\+/g, ''))
}

/** The first dot-separated part of a Discord bot token is the bot's numeric id in base64. */
function isDiscordBotToken(value: string): boolean {
  return /^\d{17,20}$/.test(decodeBase64(value.split('.')[0] ?? '') ?? '')
}

/** Docker `auth` values are base64 of `user:password` with a password. */
function isDockerAuth(value: string, match: RegExpExecArray): boolean {
  if (/identitytoken/i.test(match[0])) return value.length >= 16
  const decoded = decodeBase64(value)
  if (decoded === undefined) return false
  const colon = decoded.indexOf(':')
  return colon > 0 && colon < decoded.length - 1 && !/[\u0000-\u001f\ufffd]/.test(decoded)
}

function decodesToPem(value: string): boolean {
  return /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(decodeBase64(value) ?? '')
}

/** True when the match sits inside an XML comment (`<!-- … -->`): Maven's default settings.xml documents its options that way. */
export function insideXmlComment(match: RegExpExecArray): boolean {
  const before = match.input.slice(0, match.index)
  return before.lastIndexOf('<!--') > before.lastIndexOf('-->')
}

/** A command-line password is not a word of lower-case letters ("--password options" in help text). */
function cliPassword(secret: string): boolean {
  return /[^a-z]/.test(secret)
}

/** An anonymous FTP login gives an e-mail address as its "password" by convention. */
function netrcPassword(_secret: string, match: RegExpExecArray): boolean {
  return !/\blogin\s+(?:anonymous|ftp)\b/.test(match[0])
}

/**
 * For free-form values found only by their name (`password = "…"`): it must look like a
 * secret, not like code: letters with digits or symbols, not a path, URL, identifier chain,
 * function call, password hash or number.
 */
export function looksLikeSecretValue(value: string): boolean {
  const v = value.trim()
  if (v.length < 8 || /\s/.test(v)) return false // short, or words (a message, a command)
  if (/^(?:\/|\.\.?\/|~\/|[A-Za-z]:\\)/.test(v)) return false // a path
  if (/^(?:[a-z][a-z0-9+.-]*:\/\/|urn:)/i.test(v)) return false // a URL or URN (the URL rules look at URL passwords)
  if (/^\$(?:2[abxy]?|5|6|y|argon2(?:id|i|d)|pbkdf2[-\w]*|scrypt)\$/.test(v)) return false // a password hash
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:[=(;,]|$)/.test(v)) return false // a.b.c, a.b=…, a.b(…): code
  if (/^[\d.,:+-]+$/.test(v)) return false // a number, version or time
  if (/^(?:true|false|null|none|nil|undefined|yes|no|on|off)$/i.test(v)) return false
  if (!/[A-Za-z]/.test(v)) return false
  if (/\d/.test(v)) return true
  // no digit: only a mixed-case value with several symbols (not the / and : of paths and names)
  const symbols = v.replace(/[A-Za-z0-9_.\-/:]/g, '').length
  return symbols >= 2 && /[a-z]/.test(v) && /[A-Z]/.test(v)
}

// ─── rules ────────────────────────────────────────────────────────────────────────────────

const AWS: SecretRule[] = [
  rule({
    id: 'secret-aws-access-key-id',
    title: 'AWS access key ID',
    severity: 'high',
    keywords: ['akia', 'asia', 'abia', 'acca'],
    // AKIA long-term keys, ASIA temporary (STS) keys, ABIA STS bearer tokens, ACCA context-specific
    // credentials; 16 more base32 characters. Not inside a longer base64 string (a blob that
    // happens to contain the letters AKIA is not a key).
    pattern: /(?<![A-Za-z0-9+/])(?<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Za-z0-9+=])/,
    minEntropy: 3,
    description: `An AWS access key ID. It is half of an AWS credential: the secret access key is usually stored next to it. ${PROD}`,
    remediation: REVOKE('IAM (deactivate and delete the access key, then check CloudTrail for its use)'),
  }),
  rule({
    id: 'secret-aws-secret-access-key',
    title: 'AWS secret access key',
    severity: 'critical',
    keywords: ['secret_access_key', 'secretaccesskey', 'secret-access-key', 'secret.access.key', 'aws_secret_key', 'aws-secret-key', 'awssecretkey'],
    pattern: assigned(String.raw`(?:aws[_.-]?)?secret[_.-]?access[_.-]?key|aws[_.-]?secret[_.-]?key`, '[A-Za-z0-9/+]{40}'),
    minEntropy: 4,
    description: `An AWS secret access key (40 base64 characters) assigned to an aws_secret_access_key-like name, as in ~/.aws/credentials, environment files or SDK code. ${PROD}`,
    remediation: REVOKE('IAM (deactivate and delete the access key, then check CloudTrail for its use)'),
  }),
  rule({
    id: 'secret-aws-access-key-pair',
    title: 'AWS access key ID with its secret access key',
    severity: 'critical',
    keywords: ['akia', 'asia'],
    // the credentials CSV the console downloads, or `AKIA…:secret`, `AKIA… secret`
    pattern: /(?<![A-Za-z0-9+/])(?:AKIA|ASIA)[A-Z2-7]{16}["']?[ \t]*[,;:|\t ][ \t]*["']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/,
    minEntropy: 4,
    description: `An AWS access key ID directly followed by a 40-character secret access key (a credentials CSV, a key:secret pair). ${PROD}`,
    remediation: REVOKE('IAM (deactivate and delete the access key)'),
  }),
  rule({
    id: 'secret-aws-session-token',
    title: 'AWS session token',
    severity: 'high',
    keywords: ['session_token', 'sessiontoken', 'session-token', 'security-token'],
    pattern: assigned(String.raw`aws[_.-]?session[_.-]?token|x-amz-security-token|sessiontoken`, '[A-Za-z0-9/+=%]{100,2048}'),
    minEntropy: 4,
    description: 'An AWS STS session token. It expires (usually within hours), but until then it works with its access key pair, and images live far longer than that.',
    remediation: 'Do not copy temporary credentials into images; use the instance, task or pod role at run time. Revoke the role session if it may still be valid.',
  }),
  rule({
    id: 'secret-aws-mws-auth-token',
    title: 'Amazon Marketplace Web Service auth token',
    severity: 'high',
    keywords: ['amzn.mws.'],
    pattern: token(String.raw`amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`),
    minEntropy: 3,
    description: `An Amazon MWS authorization token (amzn.mws. + a UUID), which lets its holder act for a seller account. ${PROD}`,
    remediation: REVOKE('Seller Central (revoke the developer authorization)'),
  }),
  rule({
    id: 'secret-alibaba-access-key-id',
    title: 'Alibaba Cloud AccessKey ID',
    severity: 'high',
    keywords: ['ltai'],
    pattern: token('LTAI[A-Za-z0-9]{12,20}', 'A-Za-z0-9'),
    minEntropy: 3,
    description: `An Alibaba Cloud AccessKey ID (LTAI…), half of an Alibaba Cloud credential. ${PROD}`,
    remediation: REVOKE('the RAM console'),
  }),
]

const GOOGLE: SecretRule[] = [
  rule({
    id: 'secret-gcp-service-account-key',
    title: 'Google Cloud service account key file',
    severity: 'critical',
    kind: 'key',
    keywords: ['service_account'],
    pattern: /"type"\s*:\s*"service_account"[\s\S]{0,4000}?"private_key"\s*:\s*"(?<secret>-----BEGIN (?:RSA )?PRIVATE KEY-----[^"]{64,8192})"/,
    minEntropy: 4,
    validate: (secret) => looksLikeKeyBody(secret.replace(/-----(?:BEGIN|END)[^-]*-----/g, '')),
    description: `A Google Cloud service account key (JSON with "type": "service_account" and its "private_key"). It authenticates as the service account, with every role granted to it. ${PROD}`,
    remediation: REVOKE('IAM → Service accounts → Keys (delete the key); prefer Workload Identity over key files'),
  }),
  rule({
    id: 'secret-gcp-api-key',
    title: 'Google API key',
    severity: 'medium',
    keywords: ['aiza'],
    pattern: token('AIza[0-9A-Za-z_-]{35}'),
    minEntropy: 3.5,
    description: 'A Google API key (AIza + 35 characters), for Maps, Firebase, Gemini and other Google APIs. Unrestricted keys can be used by anyone, billed to the owner.',
    remediation: 'Restrict the key (API and application restrictions) in the Google Cloud console, or delete and recreate it; keep server-side keys out of images.',
  }),
  rule({
    id: 'secret-gcp-oauth-client-secret',
    title: 'Google OAuth client secret',
    severity: 'high',
    keywords: ['gocspx-'],
    pattern: token('GOCSPX-[A-Za-z0-9_-]{28}'),
    minEntropy: 3.5,
    description: 'A Google OAuth 2.0 client secret (GOCSPX-…). With the client ID it lets anyone impersonate the application in OAuth flows.',
    remediation: REVOKE('the Google Cloud console (APIs & Services → Credentials: reset the secret)'),
  }),
  rule({
    id: 'secret-gcp-oauth-access-token',
    title: 'Google OAuth access token',
    severity: 'medium',
    keywords: ['ya29.'],
    pattern: token(String.raw`ya29\.[A-Za-z0-9_-]{50,2048}`),
    minEntropy: 4,
    description: 'A Google OAuth access token (ya29.…). It expires within an hour, but a token in an image shows that live credentials are copied into builds.',
    remediation: 'Find where the build obtained the token and stop copying it into the image; use workload identity at run time.',
  }),
  rule({
    id: 'secret-firebase-cloud-messaging-server-key',
    title: 'Firebase Cloud Messaging legacy server key',
    severity: 'medium',
    keywords: ['apa91b'],
    pattern: token('AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{130,140}'),
    minEntropy: 4,
    description: 'A Firebase Cloud Messaging legacy server key, which can send push notifications to every user of the app.',
    remediation: REVOKE('the Firebase console; migrate to the HTTP v1 API with service account credentials'),
  }),
]

const AZURE: SecretRule[] = [
  rule({
    id: 'secret-azure-storage-account-key',
    title: 'Azure storage account key',
    severity: 'critical',
    keywords: ['accountkey'],
    // 64-byte keys: 86 base64 characters and `==`; also Cosmos DB account keys
    pattern: /(?<name>AccountKey)\s*=\s*(?<secret>[A-Za-z0-9+/]{86}==)/i,
    minEntropy: 4.5,
    description: `An Azure storage (or Cosmos DB) account key in a connection string (AccountKey=…). It grants full control of every container, queue, table and file share in the account. ${PROD}`,
    remediation: REVOKE('the Azure portal (storage account → Access keys: rotate the key)'),
  }),
  rule({
    id: 'secret-azure-shared-access-key',
    title: 'Azure Service Bus, Event Hubs or IoT Hub shared access key',
    severity: 'critical',
    keywords: ['sharedaccesskey'],
    pattern: /(?<name>SharedAccessKey)\s*=\s*(?<secret>[A-Za-z0-9+/]{43}=)/i,
    minEntropy: 4,
    description: `A shared access key in an Azure Service Bus, Event Hubs or IoT Hub connection string (SharedAccessKey=…). ${PROD}`,
    remediation: REVOKE('the Azure portal (Shared access policies: regenerate the key)'),
  }),
  rule({
    id: 'secret-azure-sas-token',
    title: 'Azure shared access signature (SAS)',
    severity: 'high',
    keywords: ['sig='],
    pattern: /\bsv=\d{4}-\d{2}-\d{2}&[^\s"'<>]{0,400}?\bsig=(?<secret>[A-Za-z0-9%+/]{40,120}(?:=|%3D){0,2})/,
    minEntropy: 4,
    description: 'An Azure shared access signature: a URL or query string with sv=<version> … sig=<signature>. Until it expires it grants the listed permissions on the storage resource.',
    remediation: 'Revoke the SAS (rotate the account key it was signed with, or delete its stored access policy); use short-lived user-delegation SAS issued at run time.',
  }),
  rule({
    id: 'secret-azure-entra-client-secret',
    title: 'Microsoft Entra ID (Azure AD) client secret',
    severity: 'critical',
    keywords: ['q~'],
    // three characters, a digit, `Q~`, and 31 to 34 more
    pattern: token(String.raw`[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}`, 'A-Za-z0-9_~.-'),
    minEntropy: 3.5,
    description: `A Microsoft Entra ID application client secret. With the tenant and client IDs it signs in as the application. ${PROD}`,
    remediation: REVOKE('Entra ID → App registrations → Certificates & secrets (delete the secret); prefer managed identities'),
  }),
  rule({
    id: 'secret-azure-devops-pat',
    title: 'Azure DevOps personal access token',
    severity: 'high',
    keywords: ['azdo'],
    // the 84-character format carries the AZDO signature four characters from the end
    pattern: token('[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}', 'A-Za-z0-9'),
    minEntropy: 4,
    description: `An Azure DevOps personal access token (84 characters with the AZDO signature). It acts as its user on repositories, pipelines and feeds. ${PROD}`,
    remediation: REVOKE('Azure DevOps → User settings → Personal access tokens'),
  }),
  rule({
    id: 'secret-azure-devops-pat-legacy',
    title: 'Azure DevOps personal access token (52-character format)',
    severity: 'medium',
    keywords: ['devops', 'vsts', 'azdo', 'ado_', 'ado-', 'system_accesstoken'],
    pattern: assigned(String.raw`(?:azure[_.-]?devops|ado|vsts|azdo|system)[_.-]?(?:access[_.-]?)?(?:pat|token)`, '[a-z2-7]{52}'),
    minEntropy: 3.5,
    description: 'A 52-character base32 Azure DevOps personal access token assigned to an Azure DevOps-like name.',
    remediation: REVOKE('Azure DevOps → User settings → Personal access tokens'),
  }),
  rule({
    id: 'secret-azure-container-registry-password',
    title: 'Azure Container Registry password or token',
    severity: 'high',
    keywords: ['+acr'],
    pattern: token(String.raw`[A-Za-z0-9+/]{42}\+ACR[A-Za-z0-9]{6}`, 'A-Za-z0-9+/'),
    minEntropy: 4,
    description: 'An Azure Container Registry admin password or repository-scoped token password (52 characters with the +ACR signature). It can push images to the registry.',
    remediation: REVOKE('the Azure portal (container registry → Access keys or Tokens: regenerate)'),
  }),
  rule({
    id: 'secret-azure-app-configuration-connection-string',
    title: 'Azure App Configuration connection string',
    severity: 'high',
    keywords: ['azconfig.io'],
    pattern: /Endpoint=https:\/\/[A-Za-z0-9-]+\.azconfig\.io;\s*Id=[^;\s"']+;\s*Secret=(?<secret>[A-Za-z0-9+/]{43}=)/,
    minEntropy: 4,
    description: 'An Azure App Configuration connection string with its access key secret; it reads (or writes) every setting in the store.',
    remediation: REVOKE('the Azure portal (App Configuration → Access settings: regenerate the key)'),
  }),
  rule({
    id: 'secret-azure-api-management-subscription-key',
    title: 'Azure API Management or Cognitive Services subscription key',
    severity: 'medium',
    keywords: ['ocp-apim-subscription-key'],
    pattern: assigned('Ocp-Apim-Subscription-Key', '[0-9a-f]{32}'),
    minEntropy: 3,
    description: 'A subscription key sent in the Ocp-Apim-Subscription-Key header (API Management, Azure AI services); calls made with it are billed to and act for the subscription.',
    remediation: REVOKE('the Azure portal (regenerate the subscription key)'),
  }),
]

const CODE_HOSTS: SecretRule[] = [
  rule({
    id: 'secret-github-pat',
    title: 'GitHub personal access token (classic)',
    severity: 'critical',
    keywords: ['ghp_'],
    pattern: token('ghp_[A-Za-z0-9]{36}', 'A-Za-z0-9_'),
    minEntropy: 3.5,
    description: `A GitHub classic personal access token (ghp_…). It acts as its user on every repository and organization the user can reach, within its scopes. ${PROD}`,
    remediation: REVOKE('GitHub → Settings → Developer settings → Personal access tokens'),
  }),
  rule({
    id: 'secret-github-oauth-token',
    title: 'GitHub OAuth access token',
    severity: 'critical',
    keywords: ['gho_'],
    pattern: token('gho_[A-Za-z0-9]{36}', 'A-Za-z0-9_'),
    minEntropy: 3.5,
    description: `A GitHub OAuth app access token (gho_…), acting as the user who authorized the app. ${PROD}`,
    remediation: REVOKE('GitHub → Settings → Applications (revoke the authorization)'),
  }),
  rule({
    id: 'secret-github-user-to-server-token',
    title: 'GitHub App user access token',
    severity: 'critical',
    keywords: ['ghu_'],
    pattern: token('ghu_[A-Za-z0-9]{36}', 'A-Za-z0-9_'),
    minEntropy: 3.5,
    description: `A GitHub App user-to-server token (ghu_…), acting as a user through a GitHub App. ${PROD}`,
    remediation: REVOKE('GitHub (revoke the app authorization or the token through the API)'),
  }),
  rule({
    id: 'secret-github-app-installation-token',
    title: 'GitHub App installation access token',
    severity: 'critical',
    keywords: ['ghs_'],
    pattern: token('ghs_[A-Za-z0-9]{36}', 'A-Za-z0-9_'),
    minEntropy: 3.5,
    description: 'A GitHub App installation (server-to-server) token (ghs_…, also the GITHUB_TOKEN of Actions). It expires after an hour, but has the installation\'s permissions until then.',
    remediation: 'Revoke it (DELETE /installation/token) and stop copying CI tokens into images.',
  }),
  rule({
    id: 'secret-github-refresh-token',
    title: 'GitHub refresh token',
    severity: 'critical',
    keywords: ['ghr_'],
    pattern: token('ghr_[A-Za-z0-9]{36,76}', 'A-Za-z0-9_'),
    minEntropy: 3.5,
    description: `A GitHub App refresh token (ghr_…); it mints new user access tokens for months. ${PROD}`,
    remediation: REVOKE('GitHub (revoke the app authorization)'),
  }),
  rule({
    id: 'secret-github-fine-grained-pat',
    title: 'GitHub fine-grained personal access token',
    severity: 'critical',
    keywords: ['github_pat_'],
    pattern: token('github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}', 'A-Za-z0-9_'),
    minEntropy: 3.5,
    description: `A GitHub fine-grained personal access token (github_pat_…). ${PROD}`,
    remediation: REVOKE('GitHub → Settings → Developer settings → Fine-grained tokens'),
  }),
  rule({
    id: 'secret-gitlab-pat',
    title: 'GitLab personal, project or group access token',
    severity: 'critical',
    keywords: ['glpat-'],
    pattern: token(String.raw`glpat-[A-Za-z0-9_-]{20,64}(?:\.[0-9a-z]{2}\.[0-9a-z]{8,10})?`),
    minEntropy: 3.5,
    description: `A GitLab access token (glpat-…): personal, project or group. It acts on the GitLab API and Git within its scopes. ${PROD}`,
    remediation: REVOKE('GitLab → Access tokens'),
  }),
  rule({
    id: 'secret-gitlab-pipeline-trigger-token',
    title: 'GitLab pipeline trigger token',
    severity: 'high',
    keywords: ['glptt-'],
    pattern: token('glptt-[0-9a-f]{40}'),
    minEntropy: 3,
    description: 'A GitLab pipeline trigger token (glptt-…): it starts pipelines, with their variables and deploy jobs.',
    remediation: REVOKE('GitLab → Settings → CI/CD → Pipeline trigger tokens'),
  }),
  rule({
    id: 'secret-gitlab-runner-token',
    title: 'GitLab runner token',
    severity: 'high',
    keywords: ['glrt-', 'gr1348941'],
    pattern: token('glrt-[A-Za-z0-9_.-]{20,64}|GR1348941[A-Za-z0-9_-]{20}'),
    minEntropy: 3.5,
    description: 'A GitLab runner authentication token (glrt-…) or legacy registration token (GR1348941…). It registers runners that receive jobs, with their CI variables and secrets.',
    remediation: REVOKE('GitLab (reset the runner token)'),
  }),
  rule({
    id: 'secret-gitlab-deploy-token',
    title: 'GitLab deploy token',
    severity: 'high',
    keywords: ['gldt-'],
    pattern: token('gldt-[A-Za-z0-9_-]{20,64}'),
    minEntropy: 3.5,
    description: 'A GitLab deploy token (gldt-…): read or write access to repositories, packages or the container registry.',
    remediation: REVOKE('GitLab → Settings → Repository → Deploy tokens'),
  }),
  rule({
    id: 'secret-gitlab-token',
    title: 'GitLab token (feed, OAuth application, SCIM, CI job, incoming mail, agent, feature flags)',
    severity: 'high',
    keywords: ['glft-', 'glsoat-', 'gloas-', 'glcbt-', 'glimt-', 'glagent-', 'glffct-'],
    pattern: token('gl(?:ft|soat|oas|cbt|imt|agent|ffct)-[A-Za-z0-9_-]{20,80}'),
    minEntropy: 3.5,
    description: 'One of GitLab\'s other prefixed tokens (glft-, gloas-, glsoat-, glcbt-, glimt-, glagent-, glffct-); each grants access to part of a GitLab instance.',
    remediation: REVOKE('GitLab (reset or revoke the token where it was created)'),
  }),
  rule({
    id: 'secret-bitbucket-app-password',
    title: 'Bitbucket app password',
    severity: 'high',
    keywords: ['atbb'],
    pattern: token('ATBB[A-Za-z0-9_=.-]{28,40}', 'A-Za-z0-9_=.-'),
    minEntropy: 3.5,
    description: `A Bitbucket Cloud app password (ATBB…), used with the account name for Git and the API. ${PROD}`,
    remediation: REVOKE('Bitbucket → Personal settings → App passwords'),
  }),
  rule({
    id: 'secret-bitbucket-access-token',
    title: 'Bitbucket repository, project or workspace access token',
    severity: 'high',
    keywords: ['atctt3'],
    pattern: token('ATCTT3[A-Za-z0-9_=-]{100,260}', 'A-Za-z0-9_=-'),
    minEntropy: 4,
    description: 'A Bitbucket Cloud access token (ATCTT3…) for a repository, project or workspace.',
    remediation: REVOKE('Bitbucket (repository, project or workspace settings → Access tokens)'),
  }),
  rule({
    id: 'secret-bitbucket-client-secret',
    title: 'Bitbucket OAuth consumer secret',
    severity: 'medium',
    keywords: ['bitbucket'],
    pattern: assigned(String.raw`bitbucket[_.-]?(?:client|oauth|consumer)?[_.-]?secret`, '[A-Za-z0-9_=-]{32,64}'),
    minEntropy: 3.5,
    description: 'A Bitbucket OAuth consumer secret assigned to a bitbucket…secret name.',
    remediation: REVOKE('Bitbucket → Workspace settings → OAuth consumers'),
  }),
  rule({
    id: 'secret-atlassian-api-token',
    title: 'Atlassian API token',
    severity: 'high',
    keywords: ['atatt3'],
    pattern: token('ATATT3[A-Za-z0-9_=-]{100,260}', 'A-Za-z0-9_=-'),
    minEntropy: 4,
    description: `An Atlassian API token (ATATT3…) for Jira, Confluence and Bitbucket, acting as its user. ${PROD}`,
    remediation: REVOKE('id.atlassian.com → Security → API tokens'),
  }),
]

const AI: SecretRule[] = [
  rule({
    id: 'secret-huggingface-access-token',
    title: 'Hugging Face access token',
    severity: 'critical',
    keywords: ['hf_'],
    pattern: token('hf_[A-Za-z0-9]{34}', 'A-Za-z0-9_'),
    minEntropy: 3.5,
    description: `A Hugging Face user access token (hf_…): it reads private models and datasets and, with write scope, pushes to them. ${PROD}`,
    remediation: REVOKE('huggingface.co → Settings → Access Tokens'),
  }),
  rule({
    id: 'secret-huggingface-organization-token',
    title: 'Hugging Face organization API token',
    severity: 'high',
    keywords: ['api_org_'],
    pattern: token('api_org_[A-Za-z0-9]{34}', 'A-Za-z0-9_'),
    minEntropy: 3.5,
    description: 'A legacy Hugging Face organization API token (api_org_…).',
    remediation: REVOKE('the organization settings on huggingface.co'),
  }),
  rule({
    id: 'secret-openai-project-key',
    title: 'OpenAI project API key',
    severity: 'critical',
    keywords: ['sk-proj-'],
    pattern: token('sk-proj-[A-Za-z0-9_-]{40,250}'),
    minEntropy: 4,
    description: `An OpenAI project API key (sk-proj-…); calls are billed to the project. ${PROD}`,
    remediation: REVOKE('platform.openai.com → API keys'),
  }),
  rule({
    id: 'secret-openai-service-account-key',
    title: 'OpenAI service account key',
    severity: 'critical',
    keywords: ['sk-svcacct-'],
    pattern: token('sk-svcacct-[A-Za-z0-9_-]{40,250}'),
    minEntropy: 4,
    description: `An OpenAI service account key (sk-svcacct-…). ${PROD}`,
    remediation: REVOKE('platform.openai.com → project settings → Service accounts'),
  }),
  rule({
    id: 'secret-openai-admin-key',
    title: 'OpenAI admin API key',
    severity: 'critical',
    keywords: ['sk-admin-'],
    pattern: token('sk-admin-[A-Za-z0-9_-]{40,250}'),
    minEntropy: 4,
    description: 'An OpenAI admin key (sk-admin-…): it manages the organization: users, projects, keys and billing.',
    remediation: REVOKE('platform.openai.com → organization settings → Admin keys'),
  }),
  rule({
    id: 'secret-openai-legacy-key',
    title: 'OpenAI API key (legacy user key)',
    severity: 'high',
    keywords: ['t3blbkfj'],
    // T3BlbkFJ is base64 of "OpenAI" and sits in the middle of user keys
    pattern: token('sk-(?:None-)?[A-Za-z0-9]{20,48}T3BlbkFJ[A-Za-z0-9]{20,48}'),
    minEntropy: 4,
    description: `An OpenAI user API key (sk-…T3BlbkFJ…). ${PROD}`,
    remediation: REVOKE('platform.openai.com → API keys'),
  }),
  rule({
    id: 'secret-anthropic-api-key',
    title: 'Anthropic API key',
    severity: 'critical',
    keywords: ['sk-ant-api'],
    pattern: token(String.raw`sk-ant-api\d{2}-[A-Za-z0-9_-]{80,120}`),
    minEntropy: 4,
    description: `An Anthropic API key (sk-ant-api03-…); calls are billed to its workspace. ${PROD}`,
    remediation: REVOKE('console.anthropic.com → API keys'),
  }),
  rule({
    id: 'secret-anthropic-admin-key',
    title: 'Anthropic admin API key',
    severity: 'critical',
    keywords: ['sk-ant-admin'],
    pattern: token(String.raw`sk-ant-admin\d{2}-[A-Za-z0-9_-]{80,120}`),
    minEntropy: 4,
    description: 'An Anthropic Admin API key (sk-ant-admin01-…): it manages the organization\'s members, workspaces and API keys.',
    remediation: REVOKE('console.anthropic.com → Admin keys'),
  }),
  rule({
    id: 'secret-groq-api-key',
    title: 'Groq API key',
    severity: 'high',
    keywords: ['gsk_'],
    pattern: token('gsk_[A-Za-z0-9]{52}', 'A-Za-z0-9_'),
    minEntropy: 4,
    description: 'A Groq API key (gsk_…); calls are billed to its owner.',
    remediation: REVOKE('console.groq.com → API keys'),
  }),
  rule({
    id: 'secret-replicate-api-token',
    title: 'Replicate API token',
    severity: 'high',
    keywords: ['r8_'],
    pattern: token('r8_[A-Za-z0-9]{37}', 'A-Za-z0-9_'),
    minEntropy: 4,
    description: 'A Replicate API token (r8_…); predictions run with it are billed to its owner.',
    remediation: REVOKE('replicate.com → Account → API tokens'),
  }),
  rule({
    id: 'secret-langsmith-api-key',
    title: 'LangSmith API key',
    severity: 'medium',
    keywords: ['lsv2_'],
    pattern: token('lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}'),
    minEntropy: 3,
    description: 'A LangSmith personal or service key (lsv2_pt_… / lsv2_sk_…): it reads traces, which often hold prompts and customer data.',
    remediation: REVOKE('LangSmith → Settings → API keys'),
  }),
]

const CHAT: SecretRule[] = [
  rule({
    id: 'secret-slack-bot-token',
    title: 'Slack bot token',
    severity: 'high',
    keywords: ['xoxb-'],
    pattern: token(String.raw`xoxb-\d{8,14}-\d{8,14}-[A-Za-z0-9]{24,34}`),
    minEntropy: 3.5,
    description: 'A Slack bot token (xoxb-…): it reads and posts in every channel the bot is in.',
    remediation: REVOKE('api.slack.com → Your apps → OAuth & Permissions (revoke and reinstall)'),
  }),
  rule({
    id: 'secret-slack-user-token',
    title: 'Slack user token',
    severity: 'high',
    keywords: ['xoxp-'],
    pattern: token(String.raw`xoxp-\d{8,14}-\d{8,14}-\d{8,14}-[a-f0-9]{32}`),
    minEntropy: 3.5,
    description: 'A Slack user token (xoxp-…): it acts as the user who installed the app, including their private channels and messages.',
    remediation: REVOKE('api.slack.com → Your apps (revoke the token)'),
  }),
  rule({
    id: 'secret-slack-app-token',
    title: 'Slack app-level token',
    severity: 'high',
    keywords: ['xapp-'],
    pattern: token(String.raw`xapp-\d-[A-Z0-9]{8,12}-\d{10,14}-[a-f0-9]{64}`),
    minEntropy: 3.5,
    description: 'A Slack app-level token (xapp-…), used for Socket Mode connections that receive the app\'s events.',
    remediation: REVOKE('api.slack.com → Your apps → Basic Information → App-level tokens'),
  }),
  rule({
    id: 'secret-slack-legacy-token',
    title: 'Slack legacy, workspace or refresh token',
    severity: 'high',
    keywords: ['xoxa-', 'xoxo-', 'xoxr-', 'xoxs-', 'xoxe-', 'xoxe.'],
    pattern: token(String.raw`xox[aors]-(?:\d+-){1,3}[A-Za-z0-9]{10,64}|xoxe\.xox[bp]-\d-[A-Za-z0-9]{100,200}|xoxe-\d-[A-Za-z0-9]{100,200}`),
    minEntropy: 3.5,
    description: 'A Slack legacy (xoxa-, xoxo-, xoxr-, xoxs-), configuration (xoxe.xoxp-) or refresh (xoxe-) token.',
    remediation: REVOKE('api.slack.com (revoke the token)'),
  }),
  rule({
    id: 'secret-slack-webhook-url',
    title: 'Slack incoming webhook URL',
    severity: 'medium',
    keywords: ['hooks.slack.com'],
    pattern: /https:\/\/hooks\.slack\.com\/(?:services\/T[A-Z0-9]{8,12}\/B[A-Z0-9]{8,12}|(?:workflows|triggers)\/T[A-Z0-9]{8,12}\/A[A-Z0-9]{8,12}\/\d{8,20})\/(?<secret>[A-Za-z0-9]{24,32})(?![A-Za-z0-9])/,
    minEntropy: 3.5,
    description: 'A Slack incoming webhook or workflow trigger URL; whoever has it can post messages (phishing links included) into the channel.',
    remediation: REVOKE('the Slack app configuration (delete the webhook)'),
  }),
  rule({
    id: 'secret-discord-webhook-url',
    title: 'Discord webhook URL',
    severity: 'medium',
    keywords: ['discord'],
    pattern: /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api(?:\/v\d+)?\/webhooks\/\d{17,20}\/(?<secret>[A-Za-z0-9_-]{60,72})(?![A-Za-z0-9_-])/,
    minEntropy: 4,
    description: 'A Discord webhook URL; whoever has it can post into the channel as the webhook.',
    remediation: REVOKE('Discord → Server settings → Integrations → Webhooks'),
  }),
  rule({
    id: 'secret-discord-bot-token',
    title: 'Discord bot token',
    severity: 'high',
    keywords: ['discord'],
    pattern: token(String.raw`[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}`),
    minEntropy: 4,
    validate: isDiscordBotToken,
    description: 'A Discord bot token (the bot\'s id in base64, a timestamp and an HMAC, in a file that mentions Discord): it controls the bot in every server it joined.',
    remediation: REVOKE('the Discord developer portal (Bot → Reset token)'),
  }),
  rule({
    id: 'secret-telegram-bot-token',
    title: 'Telegram bot token',
    severity: 'high',
    keywords: [':aa'],
    pattern: token(String.raw`\d{8,10}:AA[A-Za-z0-9_-]{33}`, 'A-Za-z0-9_:-'),
    minEntropy: 3.5,
    description: 'A Telegram Bot API token (<bot id>:AA…): it controls the bot and reads every message sent to it.',
    remediation: REVOKE('@BotFather (/revoke)'),
  }),
  rule({
    id: 'secret-microsoft-teams-webhook-url',
    title: 'Microsoft Teams incoming webhook URL',
    severity: 'medium',
    keywords: ['webhook.office.com', 'outlook.office.com/webhook', 'outlook.office365.com/webhook'],
    pattern: /https:\/\/(?:[a-z0-9-]+\.webhook\.office\.com\/webhookb2|outlook\.office(?:365)?\.com\/webhook)\/[0-9a-f-]{36}@[0-9a-f-]{36}\/IncomingWebhook\/(?<secret>[A-Za-z0-9]{32})\/[0-9a-f-]{36}/,
    minEntropy: 3.5,
    description: 'A Microsoft Teams incoming webhook URL; whoever has it can post into the channel.',
    remediation: REVOKE('Teams (channel → Connectors: remove the webhook)'),
  }),
  rule({
    id: 'secret-azure-logic-app-trigger-url',
    title: 'Azure Logic Apps or Power Automate trigger URL',
    severity: 'medium',
    keywords: ['logic.azure.com'],
    pattern: /https:\/\/[a-z0-9.-]+\.logic\.azure\.com(?::443)?\/workflows\/[0-9a-f]{32}\/triggers\/[^\s"'?]+\?[^\s"']*?\bsig=(?<secret>[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/,
    minEntropy: 3.5,
    description: 'A Logic Apps / Power Automate HTTP trigger URL with its signature (also what Teams workflows webhooks are); whoever has it can start the workflow.',
    remediation: REVOKE('the Azure portal (regenerate the access keys of the workflow)'),
  }),
]

const PAYMENTS: SecretRule[] = [
  rule({
    id: 'secret-stripe-secret-key',
    title: 'Stripe live secret key',
    severity: 'critical',
    keywords: ['sk_live_'],
    pattern: token('sk_live_[A-Za-z0-9]{24,247}', 'A-Za-z0-9_'),
    minEntropy: 3.5,
    description: `A Stripe live-mode secret key (sk_live_…): it moves money, issues refunds and reads customer data. ${PROD}`,
    remediation: REVOKE('the Stripe dashboard (Developers → API keys: roll the key)'),
  }),
  rule({
    id: 'secret-stripe-restricted-key',
    title: 'Stripe live restricted key',
    severity: 'high',
    keywords: ['rk_live_'],
    pattern: token('rk_live_[A-Za-z0-9]{24,247}', 'A-Za-z0-9_'),
    minEntropy: 3.5,
    description: 'A Stripe live-mode restricted key (rk_live_…), with the permissions chosen when it was made.',
    remediation: REVOKE('the Stripe dashboard (Developers → API keys)'),
  }),
  rule({
    id: 'secret-stripe-test-key',
    title: 'Stripe test-mode key',
    severity: 'low',
    keywords: ['sk_test_', 'rk_test_'],
    pattern: token('[sr]k_test_[A-Za-z0-9]{24,247}', 'A-Za-z0-9_'),
    minEntropy: 3.5,
    description: 'A Stripe test-mode secret or restricted key. It moves no money, but reads the test account and shows that keys are copied into images.',
    remediation: 'Roll the key in the Stripe dashboard and pass keys at run time.',
  }),
  rule({
    id: 'secret-stripe-webhook-secret',
    title: 'Webhook signing secret (Stripe, Svix)',
    severity: 'high',
    keywords: ['whsec_'],
    pattern: token('whsec_[A-Za-z0-9+/=]{24,88}', 'A-Za-z0-9_+/='),
    minEntropy: 3.5,
    description: 'A webhook signing secret (whsec_…): with it anyone can forge webhook events the application will trust.',
    remediation: REVOKE('the webhook endpoint settings (roll the signing secret)'),
  }),
  rule({
    id: 'secret-square-access-token',
    title: 'Square access token',
    severity: 'critical',
    keywords: ['eaaa', 'sq0atp-'],
    pattern: token('EAAA[A-Za-z0-9_-]{60}|sq0atp-[A-Za-z0-9_-]{22}'),
    minEntropy: 3.5,
    description: `A Square access token (EAAA…, or the legacy sq0atp-…): it takes payments and reads the seller's data. ${PROD}`,
    remediation: REVOKE('the Square developer dashboard'),
  }),
  rule({
    id: 'secret-square-oauth-secret',
    title: 'Square application secret',
    severity: 'high',
    keywords: ['sq0csp-'],
    pattern: token('sq0csp-[A-Za-z0-9_-]{43}'),
    minEntropy: 3.5,
    description: 'A Square OAuth application secret (sq0csp-…).',
    remediation: REVOKE('the Square developer dashboard (replace the application secret)'),
  }),
  rule({
    id: 'secret-braintree-access-token',
    title: 'PayPal Braintree production access token',
    severity: 'critical',
    keywords: ['access_token$production$'],
    pattern: token(String.raw`access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32}`, 'A-Za-z0-9_$'),
    minEntropy: 3.5,
    description: `A PayPal / Braintree production access token. ${PROD}`,
    remediation: REVOKE('the Braintree control panel or PayPal developer dashboard'),
  }),
  rule({
    id: 'secret-braintree-sandbox-token',
    title: 'PayPal Braintree sandbox access token',
    severity: 'low',
    keywords: ['access_token$sandbox$'],
    pattern: token(String.raw`access_token\$sandbox\$[0-9a-z]{16}\$[0-9a-f]{32}`, 'A-Za-z0-9_$'),
    minEntropy: 3.5,
    description: 'A PayPal / Braintree sandbox access token: no money moves, but it should not ship in an image either.',
    remediation: 'Revoke it in the sandbox dashboard and pass tokens at run time.',
  }),
  rule({
    id: 'secret-shopify-access-token',
    title: 'Shopify access token',
    severity: 'high',
    keywords: ['shpat_', 'shpca_', 'shppa_'],
    pattern: token('shp(?:at|ca|pa)_[a-fA-F0-9]{32}', 'A-Za-z0-9_'),
    minEntropy: 3,
    description: 'A Shopify Admin API access token (shpat_, shpca_ custom app, shppa_ private app): it reads and changes the store, its orders and customers.',
    remediation: REVOKE('the Shopify admin (uninstall or rotate the app credentials)'),
  }),
  rule({
    id: 'secret-shopify-shared-secret',
    title: 'Shopify app shared secret',
    severity: 'high',
    keywords: ['shpss_'],
    pattern: token('shpss_[a-fA-F0-9]{32}', 'A-Za-z0-9_'),
    minEntropy: 3,
    description: 'A Shopify app shared secret (shpss_…), used to sign and verify requests and webhooks.',
    remediation: REVOKE('the Shopify Partner dashboard'),
  }),
  rule({
    id: 'secret-shippo-api-token',
    title: 'Shippo live API token',
    severity: 'medium',
    keywords: ['shippo_live_'],
    pattern: token('shippo_live_[a-f0-9]{40}', 'A-Za-z0-9_'),
    minEntropy: 3,
    description: 'A Shippo live API token: it buys shipping labels on the account.',
    remediation: REVOKE('the Shippo dashboard'),
  }),
]

const MESSAGING: SecretRule[] = [
  rule({
    id: 'secret-twilio-api-key',
    title: 'Twilio API key SID',
    severity: 'medium',
    keywords: ['sk'],
    pattern: /(?<![A-Za-z0-9])(?<secret>SK[0-9a-f]{32})(?![A-Za-z0-9])/,
    minEntropy: 3,
    description: 'A Twilio API key SID (SK + 32 hex). It is paired with an API key secret, usually stored nearby.',
    remediation: REVOKE('the Twilio console (API keys)'),
  }),
  rule({
    id: 'secret-twilio-auth-token',
    title: 'Twilio auth token',
    severity: 'high',
    keywords: ['twilio'],
    pattern: assigned(String.raw`twilio[_.-]?(?:auth[_.-]?token|api[_.-]?secret|secret|token)`, '[0-9a-f]{32}'),
    minEntropy: 3,
    description: 'A Twilio auth token or API secret (32 hex characters) assigned to a twilio…token name: it sends messages and calls billed to the account.',
    remediation: REVOKE('the Twilio console (rotate the auth token)'),
  }),
  rule({
    id: 'secret-sendgrid-api-key',
    title: 'SendGrid API key',
    severity: 'high',
    keywords: ['sg.'],
    pattern: token(String.raw`SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}`),
    minEntropy: 4,
    description: 'A SendGrid API key (SG.…): it sends mail from the account\'s verified domains, which makes convincing phishing.',
    remediation: REVOKE('SendGrid → Settings → API Keys'),
  }),
  rule({
    id: 'secret-brevo-api-key',
    title: 'Brevo (Sendinblue) API or SMTP key',
    severity: 'medium',
    keywords: ['xkeysib-', 'xsmtpsib-'],
    pattern: token('x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}'),
    minEntropy: 3.5,
    description: 'A Brevo (formerly Sendinblue) API key or SMTP key: it sends mail from the account.',
    remediation: REVOKE('Brevo → SMTP & API'),
  }),
  rule({
    id: 'secret-mailgun-api-key',
    title: 'Mailgun API key',
    severity: 'medium',
    keywords: ['mailgun'],
    pattern: token('key-[0-9a-f]{32}|[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}'),
    minEntropy: 3,
    description: 'A Mailgun private API key (key-… or the newer <32 hex>-<8 hex>-<8 hex> form) in a file that mentions Mailgun.',
    remediation: REVOKE('Mailgun → API Security'),
  }),
  rule({
    id: 'secret-mailchimp-api-key',
    title: 'Mailchimp API key',
    severity: 'medium',
    keywords: ['-us'],
    pattern: token(String.raw`[0-9a-f]{32}-us\d{1,2}`, 'A-Za-z0-9'),
    minEntropy: 3,
    description: 'A Mailchimp Marketing API key (32 hex characters and the data center, -us<N>): it reads the audience lists and sends campaigns.',
    remediation: REVOKE('Mailchimp → Account → Extras → API keys'),
  }),
  rule({
    id: 'secret-postman-api-key',
    title: 'Postman API key',
    severity: 'medium',
    keywords: ['pmak-'],
    pattern: token('PMAK-[a-f0-9]{24}-[a-f0-9]{34}'),
    minEntropy: 3,
    description: 'A Postman API key (PMAK-…): it reads workspaces, collections and their saved environments, which often hold more credentials.',
    remediation: REVOKE('Postman → Settings → API keys'),
  }),
  rule({
    id: 'secret-linear-api-key',
    title: 'Linear API key',
    severity: 'high',
    keywords: ['lin_api_'],
    pattern: token('lin_api_[A-Za-z0-9]{40}', 'A-Za-z0-9_'),
    minEntropy: 3.5,
    description: 'A Linear personal API key (lin_api_…): it reads and changes the workspace\'s issues and projects.',
    remediation: REVOKE('Linear → Settings → API'),
  }),
  rule({
    id: 'secret-linear-oauth-token',
    title: 'Linear OAuth access token',
    severity: 'medium',
    keywords: ['lin_oauth_'],
    pattern: token('lin_oauth_[a-f0-9]{64}', 'A-Za-z0-9_'),
    minEntropy: 3,
    description: 'A Linear OAuth access token (lin_oauth_…).',
    remediation: REVOKE('Linear (revoke the OAuth application authorization)'),
  }),
  rule({
    id: 'secret-notion-integration-token',
    title: 'Notion integration token',
    severity: 'medium',
    keywords: ['ntn_', 'secret_'],
    pattern: token('ntn_[A-Za-z0-9]{46}|secret_[A-Za-z0-9]{43}', 'A-Za-z0-9_'),
    minEntropy: 4,
    description: 'A Notion internal integration token (ntn_…, formerly secret_…): it reads and writes the pages shared with the integration.',
    remediation: REVOKE('Notion → Settings → Integrations'),
  }),
]

const PACKAGES: SecretRule[] = [
  rule({
    id: 'secret-npm-access-token',
    title: 'npm access token',
    severity: 'critical',
    keywords: ['npm_'],
    pattern: token('npm_[A-Za-z0-9]{36}', 'A-Za-z0-9_'),
    minEntropy: 3.5,
    description: `An npm access token (npm_…): with publish rights it lets anyone publish malicious versions of the owner's packages. ${PROD}`,
    remediation: REVOKE('npmjs.com → Access Tokens; use build secrets (`RUN --mount=type=secret`) for .npmrc'),
  }),
  rule({
    id: 'secret-npmrc-auth',
    title: 'Registry credential in an .npmrc',
    severity: 'high',
    kind: 'password',
    keywords: ['_authtoken', '_auth', '_password'],
    // `//registry.example.com/:_authToken=…` or a line of its own
    pattern: /(?:^[ \t]*|\/\/[^\s=]+?:)(?<name>_authToken|_auth|_password)[ \t]*=[ \t]*["']?(?<secret>[^\s"'#;]{8,512})/m,
    minEntropy: 2.5,
    description: 'An npm registry credential (_authToken, _auth or _password) in an .npmrc, or written to one by a build command.',
    remediation: REVOKE('the registry (revoke the token)'),
  }),
  rule({
    id: 'secret-pypi-upload-token',
    title: 'PyPI API token',
    severity: 'high',
    keywords: ['pypi-ageichlwas5vcmc'],
    // pypi- and a macaroon whose first bytes encode the location "pypi.org"
    pattern: token('pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,300}'),
    minEntropy: 4,
    description: 'A PyPI API token: it uploads new releases of the owner\'s projects (all of them, when unscoped).',
    remediation: REVOKE('pypi.org → Account settings → API tokens; prefer trusted publishing'),
  }),
  rule({
    id: 'secret-pypi-test-upload-token',
    title: 'TestPyPI API token',
    severity: 'low',
    keywords: ['pypi-agendgvzdc5wexbplm9yzw'],
    pattern: token('pypi-AgENdGVzdC5weXBpLm9yZw[A-Za-z0-9_-]{50,300}'),
    minEntropy: 4,
    description: 'A TestPyPI API token: it uploads to test.pypi.org only.',
    remediation: 'Revoke it on test.pypi.org and keep upload tokens out of images.',
  }),
  rule({
    id: 'secret-pypirc-password',
    title: 'Password in a .pypirc',
    severity: 'high',
    kind: 'password',
    keywords: ['password'],
    path: /(?:^|\/)\.pypirc$/,
    pattern: /^[ \t]*(?<name>password)[ \t]*[:=][ \t]*(?<secret>[^\s#;]{6,512})/m,
    description: 'A password or API token in a .pypirc (the upload configuration of twine and setuptools).',
    remediation: REVOKE('the package index (revoke the token or change the password)'),
  }),
  rule({
    id: 'secret-rubygems-api-key',
    title: 'RubyGems API key',
    severity: 'high',
    keywords: ['rubygems_'],
    pattern: token('rubygems_[0-9a-f]{48}', 'A-Za-z0-9_'),
    minEntropy: 3,
    description: 'A RubyGems.org API key (rubygems_…): it pushes new versions of the owner\'s gems.',
    remediation: REVOKE('rubygems.org → Settings → API keys'),
  }),
  rule({
    id: 'secret-rubygems-credentials-file',
    title: 'RubyGems credentials file',
    severity: 'medium',
    keywords: ['rubygems_api_key'],
    path: /(?:^|\/)\.gem\/credentials$/,
    pattern: /^:?(?<name>rubygems_api_key):[ \t]*["']?(?<secret>[0-9a-f]{32})\b/m,
    minEntropy: 3,
    description: 'A legacy 32-character RubyGems API key in ~/.gem/credentials.',
    remediation: REVOKE('rubygems.org → Settings → API keys'),
  }),
  rule({
    id: 'secret-nuget-api-key',
    title: 'NuGet API key',
    severity: 'high',
    keywords: ['oy2'],
    pattern: token('oy2[a-z0-9]{43}', 'A-Za-z0-9'),
    minEntropy: 3.5,
    description: 'A nuget.org API key (oy2…): it pushes packages under the owner\'s account.',
    remediation: REVOKE('nuget.org → API Keys'),
  }),
  rule({
    id: 'secret-nuget-config-password',
    title: 'Password in a NuGet.Config',
    severity: 'high',
    kind: 'password',
    keywords: ['password'],
    pattern: /<add\s+key\s*=\s*"(?<name>ClearTextPassword|Password)"\s+value\s*=\s*"(?<secret>[^"]{6,1024})"/i,
    validate: (_secret, match) => !insideXmlComment(match),
    description: 'A feed password in a NuGet.Config packageSourceCredentials section (ClearTextPassword, or a Password only this machine\'s user can decrypt).',
    remediation: REVOKE('the package feed (revoke the token)'),
  }),
  rule({
    id: 'secret-private-packagist-token',
    title: 'Private Packagist token',
    severity: 'medium',
    keywords: ['packagist_'],
    pattern: token('packagist_[a-z]{3}_[a-f0-9]{68}', 'A-Za-z0-9_'),
    minEntropy: 3,
    description: 'A Private Packagist token: it downloads the organization\'s private Composer packages.',
    remediation: REVOKE('Private Packagist → Settings → Tokens'),
  }),
  rule({
    id: 'secret-clojars-token',
    title: 'Clojars deploy token',
    severity: 'medium',
    keywords: ['clojars_'],
    pattern: token('CLOJARS_[a-z0-9]{60}', 'A-Za-z0-9_'),
    minEntropy: 3.5,
    description: 'A Clojars deploy token: it deploys new versions of the owner\'s artifacts.',
    remediation: REVOKE('clojars.org → Deploy tokens'),
  }),
  rule({
    id: 'secret-jfrog-api-key',
    title: 'JFrog Artifactory API key or identity token',
    severity: 'high',
    keywords: ['akcp', 'cmvmdgtuoja'],
    // API keys start AKCp; reference/identity tokens are base64 of "reftkn:01:…"
    pattern: token('AKCp[A-Za-z0-9]{69,80}|cmVmdGtuOjAx[A-Za-z0-9]{50,100}', 'A-Za-z0-9'),
    minEntropy: 4,
    description: 'A JFrog Artifactory API key (AKCp…) or reference token (base64 of reftkn:01:…): it reads and deploys artifacts.',
    remediation: REVOKE('the JFrog platform (user profile → API key / access tokens)'),
  }),
  rule({
    id: 'secret-docker-hub-token',
    title: 'Docker Hub access token',
    severity: 'critical',
    keywords: ['dckr_pat_', 'dckr_oat_'],
    pattern: token('dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,40}'),
    minEntropy: 3.5,
    description: `A Docker Hub personal or organization access token (dckr_pat_…, dckr_oat_…): with write scope it pushes images over the owner's repositories. ${PROD}`,
    remediation: REVOKE('Docker Hub → Account settings → Personal access tokens'),
  }),
  rule({
    id: 'secret-docker-config-auth',
    title: 'Registry credential in a Docker config.json',
    severity: 'high',
    keywords: ['"auths"'],
    pattern: /"(?:auth|identitytoken)"\s*:\s*"(?<secret>[A-Za-z0-9+/=_.-]{8,4096})"/,
    minEntropy: 2.5,
    validate: isDockerAuth,
    description: 'A registry login stored in a Docker config.json (`auths` → `auth`, base64 of user:password, or an identity token). docker login writes it in the clear when no credential helper is set.',
    remediation: REVOKE('the registry (revoke the token or change the password)'),
  }),
  rule({
    id: 'secret-sonarqube-token',
    title: 'SonarQube token',
    severity: 'medium',
    keywords: ['squ_', 'sqp_', 'sqa_'],
    pattern: token('sq[upa]_[a-f0-9]{40}', 'A-Za-z0-9_'),
    minEntropy: 3,
    description: 'A SonarQube user, project-analysis or global-analysis token: it reads the analyzed source code.',
    remediation: REVOKE('SonarQube → My Account → Security'),
  }),
]

const CLOUD: SecretRule[] = [
  rule({
    id: 'secret-heroku-api-key',
    title: 'Heroku API key',
    severity: 'high',
    keywords: ['hrku-'],
    pattern: token('HRKU-[A-Za-z0-9_-]{58,64}'),
    minEntropy: 3.5,
    description: 'A Heroku API key (HRKU-…): it deploys, scales and reads the config vars (more credentials) of every app the user can reach.',
    remediation: REVOKE('Heroku → Account settings → API key / Authorizations'),
  }),
  rule({
    id: 'secret-heroku-api-key-legacy',
    title: 'Heroku API key (UUID format)',
    severity: 'high',
    keywords: ['heroku'],
    pattern: assigned(String.raw`heroku[_.-]?(?:api[_.-]?)?(?:key|token|secret)`, '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'),
    minEntropy: 3,
    description: 'A UUID-format Heroku API key assigned to a heroku…key name.',
    remediation: REVOKE('Heroku → Account settings → API key'),
  }),
  rule({
    id: 'secret-digitalocean-token',
    title: 'DigitalOcean token',
    severity: 'critical',
    keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    pattern: token('do[por]_v1_[a-f0-9]{64}', 'A-Za-z0-9_'),
    minEntropy: 3,
    description: `A DigitalOcean personal access (dop_v1_), OAuth (doo_v1_) or refresh (dor_v1_) token: it creates and destroys droplets, databases and Kubernetes clusters. ${PROD}`,
    remediation: REVOKE('DigitalOcean → API → Tokens'),
  }),
  rule({
    id: 'secret-doppler-token',
    title: 'Doppler token',
    severity: 'high',
    keywords: ['dp.pt.', 'dp.st.', 'dp.sa.', 'dp.ct.', 'dp.scim.', 'dp.audit.'],
    pattern: token(String.raw`dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_-]{2,35}\.)?[A-Za-z0-9]{40,44}`, 'A-Za-z0-9_.-'),
    minEntropy: 3.5,
    description: 'A Doppler personal, service, service-account, CLI, SCIM or audit token: it reads the secrets Doppler stores.',
    remediation: REVOKE('the Doppler dashboard'),
  }),
  rule({
    id: 'secret-terraform-cloud-token',
    title: 'HashiCorp Terraform Cloud / Enterprise API token',
    severity: 'high',
    keywords: ['.atlasv1.'],
    pattern: token(String.raw`[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}`, 'A-Za-z0-9_=-'),
    minEntropy: 4,
    description: 'A Terraform Cloud or Enterprise API token (….atlasv1.…): it reads state (full of secrets) and runs plans and applies.',
    remediation: REVOKE('Terraform Cloud → User settings → Tokens'),
  }),
  rule({
    id: 'secret-vault-token',
    title: 'HashiCorp Vault token',
    severity: 'critical',
    keywords: ['hvs.', 'hvb.', 'hvr.'],
    pattern: token(String.raw`hv[sbr]\.[A-Za-z0-9_-]{24,256}`, 'A-Za-z0-9_.-'),
    minEntropy: 3.5,
    description: `A HashiCorp Vault service (hvs.), batch (hvb.) or recovery (hvr.) token: it reads whatever secrets its policies allow. ${PROD}`,
    remediation: REVOKE('Vault (`vault token revoke`)'),
  }),
  rule({
    id: 'secret-vault-token-legacy',
    title: 'HashiCorp Vault token (legacy s. format)',
    severity: 'high',
    keywords: ['vault'],
    pattern: assigned(String.raw`vault[_.-]?(?:token|auth[_.-]?token)`, String.raw`s\.[A-Za-z0-9]{24}`),
    minEntropy: 3.5,
    description: 'A pre-1.10 Vault service token (s.…) assigned to a vault…token name.',
    remediation: REVOKE('Vault (`vault token revoke`)'),
  }),
  rule({
    id: 'secret-pulumi-access-token',
    title: 'Pulumi access token',
    severity: 'high',
    keywords: ['pul-'],
    pattern: token('pul-[a-f0-9]{40}'),
    minEntropy: 3,
    description: 'A Pulumi Cloud access token (pul-…): it reads stack state and secrets and runs updates.',
    remediation: REVOKE('Pulumi Cloud → Access tokens'),
  }),
  rule({
    id: 'secret-databricks-token',
    title: 'Databricks personal access token',
    severity: 'high',
    keywords: ['dapi'],
    pattern: token(String.raw`dapi[a-f0-9]{32}(?:-\d)?`, 'A-Za-z0-9'),
    minEntropy: 3,
    description: 'A Databricks personal access token (dapi…): it runs jobs and reads the workspace\'s data.',
    remediation: REVOKE('Databricks → User settings → Access tokens'),
  }),
  rule({
    id: 'secret-grafana-cloud-token',
    title: 'Grafana Cloud access policy token',
    severity: 'high',
    keywords: ['glc_'],
    pattern: token('glc_eyJ[A-Za-z0-9+/_-]{30,400}={0,2}', 'A-Za-z0-9_+/='),
    minEntropy: 4,
    description: 'A Grafana Cloud access policy token (glc_…).',
    remediation: REVOKE('Grafana Cloud → Access policies'),
  }),
  rule({
    id: 'secret-grafana-service-account-token',
    title: 'Grafana service account token',
    severity: 'high',
    keywords: ['glsa_'],
    pattern: token('glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}', 'A-Za-z0-9_'),
    minEntropy: 3.5,
    description: 'A Grafana service account token (glsa_…), with the service account\'s role on the Grafana instance.',
    remediation: REVOKE('Grafana → Administration → Service accounts'),
  }),
  rule({
    id: 'secret-grafana-api-key',
    title: 'Grafana API key (legacy)',
    severity: 'medium',
    keywords: ['eyjrijoi'],
    // base64 of {"k":"…","n":"…","id":…}
    pattern: token('eyJrIjoi[A-Za-z0-9+/]{50,400}={0,2}', 'A-Za-z0-9+/='),
    minEntropy: 4,
    description: 'A legacy Grafana API key (base64 JSON starting {"k":").',
    remediation: REVOKE('Grafana (delete the API key; migrate to service accounts)'),
  }),
  rule({
    id: 'secret-new-relic-user-api-key',
    title: 'New Relic user API key',
    severity: 'high',
    keywords: ['nrak-'],
    pattern: token('NRAK-[A-Z0-9]{27}'),
    minEntropy: 3.5,
    description: 'A New Relic user API key (NRAK-…): it queries and changes the account through NerdGraph.',
    remediation: REVOKE('New Relic → API keys'),
  }),
  rule({
    id: 'secret-new-relic-insert-key',
    title: 'New Relic insert or query key',
    severity: 'medium',
    keywords: ['nrii-', 'nriq-'],
    pattern: token('NRI[IQ]-[A-Za-z0-9_-]{32}'),
    minEntropy: 3.5,
    description: 'A New Relic Insights insert (NRII-) or query (NRIQ-) key.',
    remediation: REVOKE('New Relic → API keys'),
  }),
  rule({
    id: 'secret-new-relic-license-key',
    title: 'New Relic license (ingest) key',
    severity: 'medium',
    keywords: ['nral'],
    pattern: token('(?:[a-z]{2}\\d{2}xx)?[a-f0-9]{30,36}NRAL', 'A-Za-z0-9'),
    minEntropy: 3,
    description: 'A New Relic license key (…NRAL): it sends data into the account.',
    remediation: REVOKE('New Relic → API keys'),
  }),
  rule({
    id: 'secret-datadog-api-key',
    title: 'Datadog API key',
    severity: 'high',
    keywords: ['datadog', 'dd_api', 'dd-api', 'ddapi', 'dd.api'],
    pattern: assigned(String.raw`(?:datadog|dd)[_.-]?api[_.-]?key`, '[a-f0-9]{32}'),
    minEntropy: 3,
    description: 'A Datadog API key (32 hex characters) assigned to a DD_API_KEY-like name: it submits metrics, logs and events to the organization.',
    remediation: REVOKE('Datadog → Organization settings → API keys'),
  }),
  rule({
    id: 'secret-datadog-application-key',
    title: 'Datadog application key',
    severity: 'high',
    keywords: ['datadog', 'dd_app', 'dd-app', 'ddapp', 'dd.app'],
    pattern: assigned(String.raw`(?:datadog|dd)[_.-]?app(?:lication)?[_.-]?key`, '[a-f0-9]{40}'),
    minEntropy: 3,
    description: 'A Datadog application key (40 hex characters): with an API key it reads dashboards, logs and monitors through the API.',
    remediation: REVOKE('Datadog → Organization settings → Application keys'),
  }),
  rule({
    id: 'secret-sentry-dsn-secret',
    title: 'Sentry DSN with a secret key',
    severity: 'medium',
    keywords: ['sentry'],
    pattern: /https?:\/\/[0-9a-f]{32}:(?<secret>[0-9a-f]{32})@[A-Za-z0-9.-]+(?::\d+)?\/\d+/,
    minEntropy: 3,
    description: 'A Sentry DSN in the old public:secret@ form; the secret key authenticates event submission as the server.',
    remediation: 'Revoke the key in Sentry (project settings → Client keys) and use the public-key-only DSN.',
  }),
  rule({
    id: 'secret-sentry-dsn',
    title: 'Sentry DSN',
    severity: 'low',
    keywords: ['sentry'],
    pattern: /https?:\/\/(?<secret>[0-9a-f]{32})@[A-Za-z0-9.-]*(?:sentry|ingest)[A-Za-z0-9.-]*(?::\d+)?\/\d+/,
    minEntropy: 3,
    description: 'A Sentry DSN (public key only). Browsers see DSNs too, so it is not a credential, but a server-side DSN lets anyone send fake events to the project.',
    remediation: 'Pass the DSN at run time if spam or quota use is a concern; rate-limit the key in Sentry.',
  }),
  rule({
    id: 'secret-sentry-auth-token',
    title: 'Sentry auth token',
    severity: 'high',
    keywords: ['sntrys_', 'sntryu_'],
    pattern: token('sntrys_eyJ[A-Za-z0-9+/=_-]{50,400}|sntryu_[a-f0-9]{64}', 'A-Za-z0-9_+/='),
    minEntropy: 3.5,
    description: 'A Sentry organization (sntrys_…) or user (sntryu_…) auth token: it reads issues (with their stack traces and data) and uploads releases.',
    remediation: REVOKE('Sentry → Settings → Auth tokens'),
  }),
  rule({
    id: 'secret-okta-api-token',
    title: 'Okta API token',
    severity: 'high',
    keywords: ['okta'],
    pattern: assigned(String.raw`okta[_.-]?(?:api[_.-]?)?(?:token|key|secret)`, '00[A-Za-z0-9_-]{40}'),
    minEntropy: 3.5,
    description: 'An Okta API token (00…, 42 characters) assigned to an okta…token name: it manages users, groups and applications with its admin\'s rights.',
    remediation: REVOKE('the Okta admin console (Security → API → Tokens)'),
  }),
  rule({
    id: 'secret-dynatrace-token',
    title: 'Dynatrace API token',
    severity: 'medium',
    keywords: ['dt0c01.', 'dt0s01.', 'dt0s02.'],
    pattern: token(String.raw`dt0[cs]0[12]\.[A-Z0-9]{24}\.[A-Z0-9]{64}`, 'A-Za-z0-9_.-'),
    minEntropy: 3.5,
    description: 'A Dynatrace API or platform token (dt0c01.…).',
    remediation: REVOKE('Dynatrace → Access tokens'),
  }),
  rule({
    id: 'secret-planetscale-token',
    title: 'PlanetScale token or password',
    severity: 'high',
    keywords: ['pscale_'],
    pattern: token(String.raw`pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}`, 'A-Za-z0-9_.-'),
    minEntropy: 3.5,
    description: 'A PlanetScale service token, database password or OAuth token (pscale_…): database access.',
    remediation: REVOKE('PlanetScale (delete the password or service token)'),
  }),
  rule({
    id: 'secret-supabase-token',
    title: 'Supabase access token or secret key',
    severity: 'high',
    keywords: ['sbp_', 'sb_secret_'],
    pattern: token('sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{30,60}', 'A-Za-z0-9_-'),
    minEntropy: 3.5,
    description: 'A Supabase management access token (sbp_…) or project secret key (sb_secret_…), which bypasses row-level security.',
    remediation: REVOKE('the Supabase dashboard'),
  }),
  rule({
    id: 'secret-tailscale-key',
    title: 'Tailscale API, auth or OAuth key',
    severity: 'high',
    keywords: ['tskey-'],
    pattern: token('tskey-(?:api|auth|client|webhook|scim)-[A-Za-z0-9]{8,20}-[A-Za-z0-9]{20,64}'),
    minEntropy: 3.5,
    description: 'A Tailscale key (tskey-…): auth keys join machines to the tailnet, API keys manage it.',
    remediation: REVOKE('the Tailscale admin console (Settings → Keys)'),
  }),
  rule({
    id: 'secret-1password-service-account-token',
    title: '1Password service account token',
    severity: 'critical',
    keywords: ['ops_eyj'],
    pattern: token('ops_eyJ[A-Za-z0-9+/=_-]{200,1200}', 'A-Za-z0-9_+/='),
    minEntropy: 4,
    description: 'A 1Password service account token (ops_…): it reads every item in the vaults the service account can access.',
    remediation: REVOKE('1Password → Developer → Service accounts'),
  }),
  rule({
    id: 'secret-mapbox-secret-token',
    title: 'Mapbox secret access token',
    severity: 'medium',
    keywords: ['sk.eyj'],
    pattern: token(String.raw`sk\.eyJ[A-Za-z0-9_-]{40,200}\.[A-Za-z0-9_-]{20,40}`, 'A-Za-z0-9_.-'),
    minEntropy: 4,
    description: 'A Mapbox secret token (sk.…; public tokens start pk.): it can have scopes that change the account\'s styles, datasets and tokens.',
    remediation: REVOKE('Mapbox → Access tokens'),
  }),
  rule({
    id: 'secret-circleci-token',
    title: 'CircleCI personal API token',
    severity: 'high',
    keywords: ['ccipat_'],
    pattern: token('CCIPAT_[A-Za-z0-9]{20,24}_[a-f0-9]{40}', 'A-Za-z0-9_'),
    minEntropy: 3.5,
    description: 'A CircleCI personal API token (CCIPAT_…): it reads project settings and environment variables and triggers pipelines.',
    remediation: REVOKE('CircleCI → User settings → Personal API tokens'),
  }),
  rule({
    id: 'secret-buildkite-token',
    title: 'Buildkite API access token',
    severity: 'high',
    keywords: ['bkua_'],
    pattern: token('bkua_[a-f0-9]{40}', 'A-Za-z0-9_'),
    minEntropy: 3,
    description: 'A Buildkite user API access token (bkua_…).',
    remediation: REVOKE('Buildkite → Personal settings → API access tokens'),
  }),
  rule({
    id: 'secret-age-secret-key',
    title: 'age secret key',
    severity: 'high',
    kind: 'key',
    keywords: ['age-secret-key-1'],
    // Bech32: HRP AGE-SECRET-KEY-, separator 1, 58 characters of the Bech32 alphabet
    pattern: token('AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}', 'A-Za-z0-9'),
    minEntropy: 3.5,
    description: 'An age (age-encryption.org) X25519 secret key: it decrypts every file encrypted to its recipient.',
    remediation: 'Generate a new key, re-encrypt the data to the new recipient, and keep identity files out of images.',
  }),
]

/** A BEGIN line (regex source), an optional run of escaped newlines and quotes, the body, and the END line. */
function pemKey(beginLine: string): RegExp {
  return new RegExp(
    String.raw`${beginLine}(?:\s|\\[rn])*(?<secret>[\s\S]{40,16384}?)(?:\s|\\[rn]|["'\`+,])*-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----`
  )
}
/** Followed (after blank space or escaped newlines) by the legacy PEM encryption header, or not. */
const PEM_ENCRYPTED = String.raw`(?=(?:\s|\\[rn])*Proc-Type:\s*4,ENCRYPTED)`
const PEM_PLAIN = String.raw`(?!(?:\s|\\[rn])*Proc-Type:\s*4,ENCRYPTED)`
const KEY_REMEDIATION =
  'Treat the key as compromised: replace it (new key pair, new certificate), remove the old public key wherever it is trusted, and mount keys at run time instead of copying them into the image.'

function privateKeyRule(id: string, title: string, beginLine: string, severity: SecretSeverity, what: string): SecretRule {
  return rule({
    id,
    title,
    severity,
    kind: 'key',
    keywords: ['private key'],
    pattern: pemKey(beginLine),
    minEntropy: 4,
    validate: looksLikeKeyBody,
    description: `${what} Whoever has it can impersonate its owner: sign, decrypt, or log in wherever the public key is trusted.`,
    remediation: KEY_REMEDIATION,
  })
}

const KEYS: SecretRule[] = [
  privateKeyRule('secret-private-key-rsa', 'RSA private key', `-----BEGIN RSA PRIVATE KEY-----${PEM_PLAIN}`, 'high', 'An unencrypted RSA private key (PKCS #1 PEM).'),
  privateKeyRule('secret-private-key-ec', 'EC private key', `-----BEGIN EC PRIVATE KEY-----${PEM_PLAIN}`, 'high', 'An unencrypted elliptic-curve private key (SEC 1 PEM).'),
  privateKeyRule('secret-private-key-dsa', 'DSA private key', `-----BEGIN DSA PRIVATE KEY-----${PEM_PLAIN}`, 'high', 'An unencrypted DSA private key (PEM).'),
  privateKeyRule('secret-private-key-openssh', 'OpenSSH private key', '-----BEGIN OPENSSH PRIVATE KEY-----', 'high', 'An OpenSSH private key (the format ssh-keygen writes for id_rsa, id_ed25519…).'),
  privateKeyRule('secret-private-key-pkcs8', 'Private key (PKCS #8)', '-----BEGIN PRIVATE KEY-----', 'high', 'An unencrypted PKCS #8 private key (-----BEGIN PRIVATE KEY-----), as TLS servers and cloud providers issue them.'),
  privateKeyRule(
    'secret-private-key-encrypted',
    'Encrypted private key',
    `-----BEGIN (?:ENCRYPTED PRIVATE KEY-----|(?:RSA|EC|DSA) PRIVATE KEY-----${PEM_ENCRYPTED})`,
    'medium',
    'A passphrase-protected private key (PKCS #8 ENCRYPTED PRIVATE KEY, or a PEM key with Proc-Type: 4,ENCRYPTED). Its passphrase can be guessed offline, and is often stored near it.'
  ),
  privateKeyRule('secret-private-key-pgp', 'PGP private key block', '-----BEGIN PGP PRIVATE KEY BLOCK-----', 'high', 'An OpenPGP secret key block (gpg --export-secret-keys --armor).'),
  rule({
    id: 'secret-putty-private-key',
    title: 'PuTTY private key',
    severity: 'high',
    kind: 'key',
    keywords: ['putty-user-key-file-'],
    pattern: /PuTTY-User-Key-File-[23]: [\w@.-]+\r?\n[\s\S]{0,4000}?Private-Lines: \d+\r?\n(?<secret>(?:[A-Za-z0-9+/=]{1,64}\r?\n?){1,200})/,
    minEntropy: 4,
    description: 'A PuTTY private key file (.ppk). Whoever has it (and its passphrase, when Encryption is not none) logs in wherever the public key is trusted.',
    remediation: KEY_REMEDIATION,
  }),
  rule({
    id: 'secret-kubeconfig-client-key',
    title: 'Kubernetes client key in a kubeconfig',
    severity: 'critical',
    kind: 'key',
    keywords: ['client-key-data'],
    pattern: /\b(?<name>client-key-data):[ \t]*["']?(?<secret>[A-Za-z0-9+/]{64,16384}={0,2})/,
    minEntropy: 4,
    validate: decodesToPem,
    description: `A kubeconfig user's client private key (client-key-data): it authenticates to the cluster API as that user, often cluster-admin. ${PROD}`,
    remediation: 'Revoke the client certificate (rotate the cluster CA if it cannot be revoked otherwise), issue new credentials, and never copy kubeconfigs into images.',
  }),
  rule({
    id: 'secret-kubeconfig-token',
    title: 'Kubernetes bearer token in a kubeconfig',
    severity: 'high',
    keywords: ['token:'],
    pattern: /\buser:[ \t]*\r?\n(?:[ \t]+[\w-]+:[^\n]*\r?\n){0,12}?[ \t]+(?<name>token):[ \t]*["']?(?<secret>[A-Za-z0-9._~+/=-]{20,4096})/,
    minEntropy: 3.5,
    description: 'A bearer token in the users section of a kubeconfig: a service account or OIDC token that authenticates to the cluster API.',
    remediation: 'Delete the token (or the service account secret), and give workloads their own service account at run time.',
  }),
  rule({
    id: 'secret-jwt',
    title: 'JSON Web Token',
    severity: 'medium',
    keywords: ['eyj'],
    pattern: token(String.raw`eyJ[A-Za-z0-9_-]{8,2048}\.[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{16,1024}`),
    minEntropy: 4,
    validate: isSignedJwt,
    description: 'A signed JSON Web Token (a header that decodes to JSON with an alg). Until it expires (if it does), it authenticates as its subject to whatever trusts its issuer.',
    remediation: 'Find the issuer and revoke the token or rotate its signing key; do not copy session or service tokens into images.',
  }),
]

/** A URL with `user:password@` for the given schemes. The password runs to the last `@` before the host. */
function urlPassword(schemes: string): RegExp {
  return new RegExp(
    String.raw`(?<![A-Za-z0-9+.-])(?<name>${schemes}):\/\/(?<user>[^\s:/@"'<>]{0,128}):(?<secret>[^\s/"'<>]{1,256})@${HOST}`,
    'i'
  )
}

/** The host after `@`: a name, an IPv4 or a bracketed IPv6 address. */
const HOST = String.raw`(?<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)`

/** Hosts reserved for documentation (RFC 2606 / RFC 6761): example.com, foo.example, host.test, x.invalid. */
const DOCUMENTATION_HOST = /(?:^|\.)(?:example(?:\.(?:com|net|org))?|test|invalid)$/i

/**
 * For URL passwords: at least 3 characters, not a port (a numeric "password" of up to 5
 * digits is `host:port@` in a malformed URL), and not on a documentation host.
 */
function urlCredential(secret: string, match: RegExpExecArray): boolean {
  return secret.length >= 3 && !/^\d{1,5}$/.test(secret) && !DOCUMENTATION_HOST.test(match.groups?.host ?? '')
}

function databaseUrlRule(id: string, title: string, schemes: string, keywords: string[], what: string): SecretRule {
  return rule({
    id,
    title,
    severity: 'high',
    kind: 'password',
    keywords,
    pattern: urlPassword(schemes),
    validate: urlCredential,
    description: `A ${what} connection URL with a password (scheme://user:password@host). Whoever has it can connect wherever the database is reachable from.`,
    remediation: 'Change the database password, and pass the URL (or its password) at run time through a secret store or environment variable.',
  })
}

const CONFIG_FILES: SecretRule[] = [
  databaseUrlRule('secret-postgres-url-password', 'PostgreSQL URL with a password', String.raw`postgres(?:ql)?(?:\+[a-z0-9]+)?`, ['postgres'], 'PostgreSQL'),
  databaseUrlRule('secret-mysql-url-password', 'MySQL or MariaDB URL with a password', String.raw`mysqlx?(?:\+[a-z0-9]+)?|mariadb(?:\+[a-z0-9]+)?`, ['mysql', 'mariadb'], 'MySQL / MariaDB'),
  databaseUrlRule('secret-mongodb-url-password', 'MongoDB URL with a password', String.raw`mongodb(?:\+srv)?`, ['mongodb'], 'MongoDB'),
  databaseUrlRule('secret-redis-url-password', 'Redis URL with a password', 'rediss?', ['redis'], 'Redis'),
  databaseUrlRule('secret-amqp-url-password', 'AMQP (RabbitMQ) URL with a password', 'amqps?', ['amqp'], 'AMQP (RabbitMQ)'),
  rule({
    id: 'secret-jdbc-password',
    title: 'JDBC URL with a password',
    severity: 'high',
    kind: 'password',
    keywords: ['jdbc:'],
    pattern: /jdbc:[a-z0-9]+:[^\s"'<>]*?[;?&:](?<name>password|pwd)=(?<secret>[^;&\s"'<>]{1,256})/i,
    description: 'A JDBC connection URL that carries a password (…;password=… or ?password=…).',
    remediation: 'Change the database password and pass it at run time, separately from the URL.',
  }),
  rule({
    id: 'secret-connection-string-password',
    title: 'Password in a database connection string',
    severity: 'high',
    kind: 'password',
    keywords: ['password', 'pwd'],
    pattern: /\b(?:Server|Data Source|Host|Address|Addr)\s*=[^;"'\n]{1,200};[^"'\n]{0,300}?\b(?<name>Password|Pwd)\s*=\s*(?<secret>[^;"'\n]{1,256})/i,
    description: 'A password in an ADO.NET / ODBC style connection string (Server=…;User Id=…;Password=…).',
    remediation: 'Change the database password and pass the connection string at run time, or use managed identities.',
  }),
  rule({
    id: 'secret-git-url-credentials',
    title: 'Git hosting credential in a URL',
    severity: 'high',
    kind: 'password',
    keywords: ['github.com', 'gitlab.com', 'bitbucket.org', 'dev.azure.com', 'visualstudio.com'],
    pattern: /(?<name>https?):\/\/(?<user>[^\s:/@"'<>]{1,128}):(?<secret>[^\s/@"'<>]{4,256})@(?<host>github\.com|gitlab\.com|bitbucket\.org|(?:ssh\.)?dev\.azure\.com|[a-z0-9-]+\.visualstudio\.com)(?![A-Za-z0-9.-])/i,
    validate: urlCredential,
    description: 'A password or token for GitHub, GitLab, Bitbucket or Azure DevOps in a URL (a .git-credentials line, a clone URL in a script or .git/config).',
    remediation: REVOKE('the Git host (revoke the token); clone with a build secret or SSH agent forwarding instead'),
  }),
  rule({
    id: 'secret-url-password',
    title: 'Password in a URL',
    severity: 'medium',
    kind: 'password',
    keywords: ['://'],
    pattern: /:\/\/(?<=(?<![A-Za-z0-9+.-])(?<name>[A-Za-z][A-Za-z0-9+.-]{0,20}):\/\/)(?<user>[^\s:/@"'<>]{0,128}):(?<secret>[^\s/@"'<>]{1,256})@(?<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)/,
    validate: urlCredential,
    description: 'A URL with user:password@ (HTTP, FTP, SMTP, LDAP, a proxy…).',
    remediation: 'Change the password and pass it at run time, outside the URL written into the image.',
  }),
  rule({
    id: 'secret-netrc-password',
    title: 'Password in a .netrc',
    severity: 'high',
    kind: 'password',
    keywords: ['machine'],
    pattern: /(?:\bmachine[ \t]+\S+|(?:^|\n)[ \t]*default)(?:\s+(?:login|account|port)\s+\S+){1,3}\s+(?<name>password)\s+(?<secret>\S{1,512})/,
    validate: netrcPassword,
    description: 'A machine … login … password … entry (.netrc, as curl, git, ftp and pip read it).',
    remediation: 'Change the password (revoke the token) and mount the .netrc at build or run time instead of copying it.',
  }),
  rule({
    id: 'secret-pgpass-password',
    title: 'Password in a .pgpass',
    severity: 'high',
    kind: 'password',
    keywords: [':'],
    path: /(?:^|\/)\.pgpass$/,
    pattern: /^(?!#)(?:(?:[^:\\\n]|\\.)*:){4}(?<secret>[^\n]{1,512})$/m,
    description: 'A host:port:database:user:password line in a PostgreSQL password file.',
    remediation: 'Change the database password and mount .pgpass at run time.',
  }),
  rule({
    id: 'secret-mysql-option-file-password',
    title: 'Password in a MySQL option file',
    severity: 'high',
    kind: 'password',
    keywords: ['password'],
    path: /(?:^|\/)(?:\.my\.cnf|my\.cnf|debian\.cnf|\.mylogin\.cnf)$|\/etc\/mysql\/.*\.cnf$/,
    pattern: /^[ \t]*(?<name>password)[ \t]*=[ \t]*["']?(?<secret>[^\s"'#;]{1,256})/m,
    description: 'A password in a MySQL / MariaDB option file (.my.cnf, debian.cnf): the server account it belongs to is often root-equivalent.',
    remediation: 'Change the password and mount the option file at run time.',
  }),
  rule({
    id: 'secret-maven-settings-password',
    title: 'Password in a Maven settings.xml',
    severity: 'high',
    kind: 'password',
    keywords: ['<password>', '<passphrase>'],
    path: /(?:^|\/)settings\.xml$/,
    pattern: /<(?<name>password|passphrase)>\s*(?<secret>[^<\s][^<]{0,511}?)\s*<\/(?:password|passphrase)>/,
    validate: (_secret, match) => !insideXmlComment(match),
    description: 'A repository password or key passphrase in a Maven settings.xml <server> entry (plain, or encrypted with a master password that usually sits next to it).',
    remediation: REVOKE('the repository manager (revoke the token); pass credentials through environment variables: <password>${env.REPO_PASSWORD}</password>'),
  }),
  rule({
    id: 'secret-maven-settings-security-master',
    title: 'Maven master password',
    severity: 'high',
    kind: 'password',
    keywords: ['<master>'],
    pattern: /<(?<name>master)>\s*(?<secret>\{[A-Za-z0-9+/=]{8,256}\})\s*<\/master>/,
    validate: (_secret, match) => !insideXmlComment(match),
    description: 'The Maven master password (settings-security.xml): it decrypts every {…} password in settings.xml.',
    remediation: 'Create a new master password, re-encrypt the server passwords with it, and rotate those passwords.',
  }),
  rule({
    id: 'secret-xml-password-element',
    title: 'Password in an XML element',
    severity: 'medium',
    kind: 'password',
    keywords: ['<password>', '<passwd>'],
    pattern: /<(?<name>password|passwd)>(?<secret>[^<\s][^<]{0,255})<\/(?:password|passwd)>/i,
    validate: (_secret, match) => !insideXmlComment(match),
    description: 'A <password>…</password> element in an XML configuration file.',
    remediation: 'Change the password and have the application read it from the environment or a mounted secret.',
  }),
  rule({
    id: 'secret-wordpress-db-password',
    title: 'WordPress database password',
    severity: 'high',
    kind: 'password',
    keywords: ['db_password'],
    pattern: /define\(\s*["'](?<name>DB_PASSWORD)["']\s*,\s*["'](?<secret>[^"']{1,256})["']\s*\)/,
    description: 'The database password in a wp-config.php.',
    remediation: 'Change the database password and read it from the environment (getenv) in wp-config.php.',
  }),
  rule({
    id: 'secret-wordpress-auth-salt',
    title: 'WordPress authentication key or salt',
    severity: 'medium',
    kind: 'password',
    keywords: ['auth_key', 'auth_salt', 'logged_in_key', 'logged_in_salt', 'nonce_key', 'nonce_salt'],
    pattern: /define\(\s*["'](?<name>(?:SECURE_AUTH|AUTH|LOGGED_IN|NONCE)_(?:KEY|SALT))["']\s*,\s*["'](?<secret>[^"']{16,256})["']\s*\)/,
    minEntropy: 3.5,
    description: 'A WordPress authentication key or salt (wp-config.php): with it, login cookies can be forged.',
    remediation: 'Generate new keys and salts (this logs every user out) and load them from the environment.',
  }),
  rule({
    id: 'secret-http-authorization-header',
    title: 'Credential in an HTTP Authorization header',
    severity: 'high',
    keywords: ['authorization'],
    pattern: /\b(?<name>(?:Proxy-)?Authorization)["']?\s*:\s*["']?(?:Bearer|Basic|token|Digest)\s+(?<secret>[A-Za-z0-9._~+/=-]{16,4096})/i,
    minEntropy: 3,
    description: 'A literal bearer token or basic-auth credential in an Authorization header (a curl command, a script, a saved request).',
    remediation: 'Revoke the token or change the password, and read it from the environment ("Authorization: Bearer $TOKEN").',
  }),
  rule({
    id: 'secret-http-api-key-header',
    title: 'Credential in an HTTP API key header',
    severity: 'medium',
    keywords: ['x-api-key', 'x-auth-token', 'private-token', 'x-access-token', 'api-key:', 'x-vault-token'],
    pattern: /\b(?<name>X-Api-Key|X-Auth-Token|Private-Token|X-Access-Token|Api-Key|X-Vault-Token)["']?\s*:\s*["']?(?<secret>[A-Za-z0-9._~+/=-]{16,1024})/i,
    minEntropy: 3,
    description: 'A literal API key in a header such as X-Api-Key, Private-Token or X-Vault-Token.',
    remediation: 'Revoke the key and read it from the environment at run time.',
  }),
  rule({
    id: 'secret-cli-password-argument',
    title: 'Password on a command line',
    severity: 'medium',
    kind: 'password',
    keywords: ['curl', 'password', 'sshpass', 'docker login', 'mysql'],
    pattern:
      /(?:\bcurl\b[^\n]*?\s(?:-u|--user)[ \t]*=?[ \t]*["']?[^\s:"'$]+:|--(?:http-|ftp-|proxy-)?password[= ]["']?|\bsshpass\s+-p[ \t]*["']?|\bdocker\s+login\b[^\n]*?\s(?:-p|--password)[ \t=]+["']?|\bmysql(?:dump|admin)?\b[^\n]*?\s-p["']?(?=[^\s"'$]))(?!-)(?<secret>[^\s"'$;|&]{4,256})/,
    validate: cliPassword,
    description: 'A literal password passed on a command line (curl -u user:password, --password=…, sshpass -p, docker login -p, mysql -p…): it ends up in image history, shell history and process listings.',
    remediation: 'Change the password; pass it through a file, an environment variable or a build secret instead of the command line.',
  }),
]

/** Names whose last word says "password": `DB_PASSWORD`, `passwd`, `"password":`. */
const GENERIC_VALUE = String.raw`["']?(?<secret>(?<=["'])[^"'\`\r\n\\]{MIN,256}(?=["'])|(?<![^\s:=])[^\s"'\`\\(){}\[\]<>,;]{MIN,256}(?=[\s,;]|$))`

function generic(names: string, min: number): RegExp {
  return new RegExp(String.raw`(?<name>${names})(?![A-Za-z0-9])(?:["'\`\]]|[ \t])*(?::=|=>|[:=])[ \t]*${GENERIC_VALUE.replaceAll('MIN', String(min))}`, 'i')
}

const validGenericValue = (secret: string): boolean => looksLikeSecretValue(secret)

const GENERIC: SecretRule[] = [
  rule({
    id: 'secret-generic-password',
    title: 'Hard-coded password',
    severity: 'medium',
    kind: 'password',
    keywords: ['password', 'passwd', 'passphrase', 'pwd'],
    pattern: generic('password|passwd|passphrase|pwd', 8),
    minEntropy: 2.5,
    validate: validGenericValue,
    description: 'A literal value assigned to a password-like name (password = "…", DB_PASSWORD=…, "passwd": "…") in code or configuration. Placeholders, variables and common defaults are not reported.',
    remediation: 'Change the password, and read it at run time from the environment or a mounted secret.',
  }),
  rule({
    id: 'secret-generic-secret',
    title: 'Hard-coded secret',
    severity: 'medium',
    kind: 'password',
    keywords: ['secret'],
    pattern: generic(String.raw`secret(?:[_.-]?(?:key(?:[_.-]?base)?|token|value))?`, 12),
    minEntropy: 3,
    validate: validGenericValue,
    description: 'A literal, random-looking value assigned to a secret-like name (client_secret, SECRET_KEY, app.secret…).',
    remediation: 'Rotate the secret and read it at run time from the environment or a mounted secret.',
  }),
  rule({
    id: 'secret-generic-api-key',
    title: 'Hard-coded API key',
    severity: 'medium',
    kind: 'password',
    keywords: ['api_key', 'apikey', 'api-key', 'api.key', 'access_key', 'accesskey', 'access-key'],
    pattern: generic(String.raw`api[_.-]?key|access[_.-]?key|api[_.-]?secret`, 16),
    minEntropy: 3,
    validate: validGenericValue,
    description: 'A literal, random-looking value assigned to an API-key-like name (api_key, apiKey, ACCESS_KEY…).',
    remediation: 'Revoke the key and read it at run time from the environment or a mounted secret.',
  }),
  rule({
    id: 'secret-generic-token',
    title: 'Hard-coded token',
    severity: 'medium',
    kind: 'password',
    keywords: ['token'],
    // not the pagination, parser and anti-forgery tokens of APIs and compilers
    pattern: generic(String.raw`(?<!(?:next|continuation|page|paging|pagination|sync|cursor|significant|last|first|start|end|marker|csrf|xsrf|state|lock|lexer|parser?|current|prev|previous)[_.-]?)token`, 16),
    minEntropy: 3,
    validate: validGenericValue,
    description: 'A literal, random-looking value assigned to a token-like name (access_token, AUTH_TOKEN, botToken…).',
    remediation: 'Revoke the token and read it at run time from the environment or a mounted secret.',
  }),
]

/** Every secret rule, most specific first. */
export const SECRET_RULES: readonly SecretRule[] = Object.freeze([
  ...AWS,
  ...GOOGLE,
  ...AZURE,
  ...CODE_HOSTS,
  ...AI,
  ...CHAT,
  ...PAYMENTS,
  ...MESSAGING,
  ...PACKAGES,
  ...CLOUD,
  ...KEYS,
  ...CONFIG_FILES,
  ...GENERIC,
])

/** The documented {@link Rule} of a secret rule (category `secret`). */
export function toRule(secretRule: SecretRule): Rule {
  return defineRule({
    id: secretRule.id,
    category: 'secret',
    severity: secretRule.severity,
    title: secretRule.title,
    description: secretRule.description,
    remediation: secretRule.remediation,
  })
}

const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(SECRET_RULES.map((r) => [r.id, toRule(r)]))

/** The {@link Rule} for a secret rule id, the same object every time. */
export function secretRuleById(id: string): Rule | undefined {
  return RULES_BY_ID.get(id)
}
