/**
 * User accounts: the `accounts-files` file analyzer parses `/etc/passwd`, `/etc/shadow`,
 * `/etc/group` and `/etc/gshadow` into facts (never keeping a password hash, only what kind
 * of password field it is), and the checks here judge the versions the final image shows:
 * extra UID 0 accounts, shared UIDs and GIDs (Dockle DKL-LI-0002), empty passwords (DKL-LI-0001),
 * password hashes shipped in the image, system accounts with a login shell, and a shadow
 * file others can read.
 *
 * @see https://man7.org/linux/man-pages/man5/passwd.5.html
 * @see https://man7.org/linux/man-pages/man5/shadow.5.html
 * @module
 */
import { EntryType } from '../../layers/layer-result.js'
import type { Finding } from '../../report/model.js'
import type { FileAnalyzer, ImageInput, JsonValue } from '../analyzer.js'
import { locationOf } from '../image-facts.js'
import { defineRule, findingOf, type Rule } from '../rule.js'

export const ACCOUNTS_ANALYZER_ID = 'accounts-files'

/** What a password field holds: nothing, a lock (`*`, `!`, `!!`, `x`), or a hash. */
export type PasswordField = 'empty' | 'locked' | 'hash'

export interface PasswdAccount {
  name: string
  uid: number
  gid: number
  home: string
  shell: string
  password: PasswordField
  line: number
}

export interface ShadowAccount {
  name: string
  password: PasswordField
  /** The hash scheme (`$6$` → `sha512crypt`), when there is a hash. */
  scheme?: string
  line: number
}

export interface GroupEntry {
  name: string
  gid: number
  line: number
}

export type AccountFacts =
  | { kind: 'passwd'; accounts: PasswdAccount[] }
  | { kind: 'shadow'; accounts: ShadowAccount[] }
  | { kind: 'group'; groups: GroupEntry[] }

const FILES: Readonly<Record<string, AccountFacts['kind']>> = { '/etc/passwd': 'passwd', '/etc/shadow': 'shadow', '/etc/group': 'group', '/etc/gshadow': 'shadow' }
const ACCOUNT_FILES: ReadonlySet<string> = new Set(Object.keys(FILES))
const MAX_ACCOUNT_FILE_BYTES = 4 * 1024 * 1024

const SCHEMES: ReadonlyArray<readonly [string, string]> = [
  ['$y$', 'yescrypt'], ['$gy$', 'gost-yescrypt'], ['$7$', 'scrypt'], ['$6$', 'sha512crypt'], ['$5$', 'sha256crypt'],
  ['$2a$', 'bcrypt'], ['$2b$', 'bcrypt'], ['$2y$', 'bcrypt'], ['$1$', 'md5crypt'], ['$sha1$', 'sha1crypt'],
]

/** Classifies a password field without keeping it. `x` in passwd points to shadow, so it counts as locked here. */
export function passwordField(value: string): { field: PasswordField; scheme?: string } {
  if (value === '') return { field: 'empty' }
  if (value === 'x' || value.startsWith('!') || value.startsWith('*')) return { field: 'locked' }
  const scheme = SCHEMES.find(([prefix]) => value.startsWith(prefix))?.[1] ?? (/^[./0-9A-Za-z]{13}$/.test(value) ? 'DES crypt' : 'unknown scheme')
  return { field: 'hash', scheme }
}

function lines(text: string): Array<{ fields: string[]; line: number }> {
  const out: Array<{ fields: string[]; line: number }> = []
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '')
    if (line.trim() === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) return
    out.push({ fields: line.split(':'), line: index + 1 })
  })
  return out
}

function number(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,10}$/.test(value) ? Number(value) : undefined
}

/** Parses one of the account files (`kind` from its path). */
export function parseAccountFile(kind: AccountFacts['kind'], text: string): AccountFacts {
  if (kind === 'passwd') {
    const accounts: PasswdAccount[] = []
    for (const { fields, line } of lines(text)) {
      const uid = number(fields[2])
      const gid = number(fields[3])
      if (fields.length < 7 || uid === undefined || gid === undefined) continue
      accounts.push({ name: fields[0]!, uid, gid, home: fields[5]!, shell: fields.slice(6).join(':'), password: passwordField(fields[1]!).field, line })
    }
    return { kind, accounts }
  }
  if (kind === 'shadow') {
    const accounts: ShadowAccount[] = []
    for (const { fields, line } of lines(text)) {
      if (fields.length < 2) continue
      const { field, scheme } = passwordField(fields[1]!)
      accounts.push({ name: fields[0]!, password: field, ...(scheme ? { scheme } : {}), line })
    }
    return { kind, accounts }
  }
  const groups: GroupEntry[] = []
  for (const { fields, line } of lines(text)) {
    const gid = number(fields[2])
    if (fields.length < 3 || gid === undefined) continue
    groups.push({ name: fields[0]!, gid, line })
  }
  return { kind, groups }
}

export const accountsFileAnalyzer: FileAnalyzer = {
  kind: 'file',
  id: ACCOUNTS_ANALYZER_ID,
  version: 1,
  wants: (path, entry) => ACCOUNT_FILES.has(path) && entry.size <= MAX_ACCOUNT_FILE_BYTES,
  analyze({ path, content }) {
    return { facts: parseAccountFile(FILES[path]!, content.toString('utf8')) as unknown as JsonValue }
  },
}

export const extraRootAccount = defineRule({
  id: 'fs-extra-root-account',
  category: 'filesystem',
  severity: 'high',
  title: 'An account other than root has UID 0',
  description: 'A second account with UID 0 is root under another name: whoever logs in or runs as it has full control, and it does not show up where people look for root. A classic backdoor.',
  remediation: 'Give the account its own UID, or remove it.',
})

export const duplicateUid = defineRule({
  id: 'fs-duplicate-uid',
  category: 'filesystem',
  severity: 'medium',
  title: 'Two accounts share a UID',
  description: 'Accounts sharing a UID are the same user to the kernel: files and processes of one belong to the other, and permissions meant for one grant access to both (Dockle DKL-LI-0002).',
  remediation: 'Give each account its own UID (usermod -u), or remove the duplicate.',
})

export const duplicateGid = defineRule({
  id: 'fs-duplicate-gid',
  category: 'filesystem',
  severity: 'low',
  title: 'Two groups share a GID',
  description: 'Groups sharing a GID are one group to the kernel: membership in one grants the file permissions of the other (Dockle DKL-LI-0002).',
  remediation: 'Give each group its own GID (groupmod -g), or remove the duplicate.',
})

export const emptyPassword = defineRule({
  id: 'fs-empty-password',
  category: 'filesystem',
  severity: 'high',
  title: 'An account has an empty password',
  description: 'The password field in /etc/shadow (or /etc/passwd) is empty, so anyone can log in or su to the account without a password (Dockle DKL-LI-0001; Alpine\'s root account shipped like this, CVE-2019-5021).',
  remediation: 'Lock the account (passwd -l, or `*` in the password field).',
})

export const passwordHashShipped = defineRule({
  id: 'fs-account-password-set',
  category: 'filesystem',
  severity: 'medium',
  title: 'An account has a password hash in the image',
  description: 'The shadow file holds a password hash. Everyone who can pull the image can try to crack it offline, and every container shares the same password; images have no one to log in.',
  remediation: 'Lock the account (passwd -l) and give access through other means at run time.',
})

export const systemAccountShell = defineRule({
  id: 'fs-system-account-shell',
  category: 'filesystem',
  severity: 'low',
  title: 'A system account has a login shell',
  description: 'An account with a system UID (1 to 999) has a real shell instead of nologin or false. Service accounts do not log in; a shell makes the account usable interactively if it ever gets a password, a key or an exploited service.',
  remediation: 'Set the shell to /usr/sbin/nologin (usermod -s).',
})

export const shadowReadable = defineRule({
  id: 'fs-shadow-readable',
  category: 'filesystem',
  severity: 'high',
  title: 'The shadow password file is readable by everyone',
  description: '/etc/shadow, /etc/gshadow or their backups (shadow-) are readable by all users, so any process in the container can read the password hashes.',
  remediation: 'chmod 0640 (or 0000, as some distributions ship it) and chown root:shadow.',
})

export const ACCOUNT_RULES: readonly Rule[] = [extraRootAccount, duplicateUid, duplicateGid, emptyPassword, passwordHashShipped, systemAccountShell, shadowReadable]

/** Shells that do not give a login. An empty field means /bin/sh. */
const NO_LOGIN_SHELL = /(?:^|\/)(?:nologin|false|true|sync|halt|shutdown)$/
const NOBODY_UIDS = new Set([65534, 65535])

function visibleAccountFacts<K extends AccountFacts['kind']>(input: ImageInput, path: string, kind: K): { facts: Extract<AccountFacts, { kind: K }>; layer: number } | undefined {
  const entry = input.tree.resolve(path)
  if (!entry || entry.record.type !== EntryType.File) return undefined
  const facts = input.visibleFacts(ACCOUNTS_ANALYZER_ID, path) as unknown as AccountFacts | undefined
  return facts?.kind === kind ? { facts: facts as Extract<AccountFacts, { kind: K }>, layer: entry.layer } : undefined
}

export function checkAccounts(input: ImageInput): Finding[] {
  const findings: Finding[] = []
  const passwd = visibleAccountFacts(input, '/etc/passwd', 'passwd')
  const shadow = visibleAccountFacts(input, '/etc/shadow', 'shadow')
  const group = visibleAccountFacts(input, '/etc/group', 'group')
  const inShadow = new Map(shadow?.facts.accounts.map((a) => [a.name, a]) ?? [])

  if (passwd) {
    const at = (line: number) => locationOf(input.layers, passwd.layer, '/etc/passwd', line)
    const byUid = new Map<number, PasswdAccount[]>()
    for (const account of passwd.facts.accounts) {
      if (account.uid === 0 && account.name !== 'root') findings.push(findingOf(extraRootAccount, at(account.line), `${account.name}: UID 0, shell ${account.shell || '/bin/sh'}`))
      const same = byUid.get(account.uid) ?? []
      same.push(account)
      byUid.set(account.uid, same)
      // a passwd password field is used only when shadow has no entry for the account
      if (account.password === 'empty' && !inShadow.has(account.name)) findings.push(findingOf(emptyPassword, at(account.line), `${account.name}: empty password field in /etc/passwd`))
      const shell = account.shell.trim()
      if (account.uid >= 1 && account.uid <= 999 && !NOBODY_UIDS.has(account.uid) && !NO_LOGIN_SHELL.test(shell)) {
        findings.push(findingOf(systemAccountShell, at(account.line), `${account.name}: UID ${account.uid}, shell ${shell || '/bin/sh (empty field)'}`))
      }
    }
    for (const [uid, accounts] of byUid) {
      if (uid === 0 || accounts.length < 2) continue
      findings.push(findingOf(duplicateUid, at(accounts[1]!.line), `UID ${uid}: ${accounts.map((a) => a.name).join(', ')}`))
    }
  }
  if (shadow) {
    const at = (line: number) => locationOf(input.layers, shadow.layer, '/etc/shadow', line)
    for (const account of shadow.facts.accounts) {
      if (account.password === 'empty') findings.push(findingOf(emptyPassword, at(account.line), `${account.name}: empty password field in /etc/shadow`))
      if (account.password === 'hash') findings.push(findingOf(passwordHashShipped, at(account.line), `${account.name}: ${account.scheme ?? 'password'} hash`))
    }
  }
  if (group) {
    const byGid = new Map<number, GroupEntry[]>()
    for (const entry of group.facts.groups) byGid.set(entry.gid, [...(byGid.get(entry.gid) ?? []), entry])
    for (const [gid, groups] of byGid) {
      if (groups.length < 2) continue
      findings.push(findingOf(duplicateGid, locationOf(input.layers, group.layer, '/etc/group', groups[1]!.line), `GID ${gid}: ${groups.map((g) => g.name).join(', ')}`))
    }
  }
  for (const path of ['/etc/shadow', '/etc/gshadow', '/etc/shadow-', '/etc/gshadow-']) {
    const entry = input.tree.get(path)
    if (!entry || entry.record.type !== EntryType.File || (entry.record.mode & 0o004) === 0) continue
    findings.push(findingOf(shadowReadable, locationOf(input.layers, entry.layer, path), `mode ${(entry.record.mode & 0o7777).toString(8).padStart(4, '0')}`))
  }
  return findings
}
