import { describe, expect, it } from 'vitest'
import { parseAccountFile, passwordField } from '../../../../shared/analyzers/filesystem/accounts.js'
import { EntryType } from '../../../../shared/layers/layer-result.js'
import { analyzeImage, dpkgDatabase, findingsOf, type FileSpec } from '../../../support/analyzer-image.js'

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'sync:x:4:65534:sync:/bin:/bin/sync',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  'app:x:1000:1000::/home/app:/bin/bash',
].join('\n')
const SHADOW = ['root:*:19000:0:99999:7:::', 'daemon:*:19000:0:99999:7:::', 'sync:*:19000:0:99999:7:::', 'nobody:*:19000:0:99999:7:::', 'app:!:19000:0:99999:7:::'].join('\n')
const GROUP = ['root:x:0:', 'daemon:x:1:', 'app:x:1000:'].join('\n')

function accounts(passwd = PASSWD, shadow = SHADOW, group = GROUP, shadowMode = 0o640): FileSpec[] {
  return [
    { path: '/etc/passwd', content: `${passwd}\n` },
    { path: '/etc/shadow', content: `${shadow}\n`, mode: shadowMode },
    { path: '/etc/group', content: `${group}\n` },
  ]
}

describe('account files', () => {
  it('classify password fields without keeping them', () => {
    expect(passwordField('')).toEqual({ field: 'empty' })
    expect(passwordField('*')).toEqual({ field: 'locked' })
    expect(passwordField('!$6$salt$hash')).toEqual({ field: 'locked' })
    expect(passwordField('$6$salt$hash')).toEqual({ field: 'hash', scheme: 'sha512crypt' })
    expect(passwordField('$y$j9T$salt$hash')).toEqual({ field: 'hash', scheme: 'yescrypt' })
    expect(JSON.stringify(parseAccountFile('shadow', 'root:$6$salt$secrethash:1::::::\n'))).not.toContain('secrethash')
  })

  it('skips comments, NIS lines and malformed lines, keeping line numbers', () => {
    expect(parseAccountFile('passwd', '# c\n+::::::\nroot:x:0:0:root:/root:/bin/sh\nbroken\nx:x:notanumber:0::/:/bin/sh\n')).toEqual({
      kind: 'passwd',
      accounts: [{ name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/sh', password: 'locked', line: 3 }],
    })
  })

  it('a clean set of account files gives no finding', async () => {
    const report = await analyzeImage({ layers: [accounts()] })
    expect(report.findings.filter((f) => f.category === 'filesystem')).toEqual([])
  })

  it.each<[string, FileSpec[], string, string, string, number]>([
    ['an extra UID 0 account', accounts(`${PASSWD}\ntoor:x:0:0::/root:/bin/sh`), 'fs-extra-root-account', 'high', 'toor: UID 0, shell /bin/sh', 6],
    ['a shared UID', accounts(`${PASSWD}\nbackup:x:1000:1000::/:/usr/sbin/nologin`), 'fs-duplicate-uid', 'medium', 'UID 1000: app, backup', 6],
    ['a shared GID', accounts(PASSWD, SHADOW, `${GROUP}\nstaff:x:1000:`), 'fs-duplicate-gid', 'low', 'GID 1000: app, staff', 4],
    ['an empty shadow password', accounts(PASSWD, SHADOW.replace('app:!:', 'app::')), 'fs-empty-password', 'high', 'app: empty password field in /etc/shadow', 5],
    ['a password hash', accounts(PASSWD, SHADOW.replace('root:*:', 'root:$6$abc$def:')), 'fs-account-password-set', 'medium', 'root: sha512crypt hash', 1],
    ['a system account with a shell', accounts(`${PASSWD}\npostgres:x:999:999::/var/lib/postgresql:/bin/bash`), 'fs-system-account-shell', 'low', 'postgres: UID 999, shell /bin/bash', 6],
  ])('reports %s', async (_name, files, ruleId, severity, evidence, line) => {
    const report = await analyzeImage({ layers: [files] })
    expect(findingsOf(report, ruleId).map((f) => [f.severity, f.evidence, f.location.line])).toEqual([[severity, evidence, line]])
  })

  it('reports an empty password field in /etc/passwd for an account shadow does not list', async () => {
    const report = await analyzeImage({ layers: [accounts(`${PASSWD}\nguest::2000:2000::/home/guest:/bin/sh`)] })
    expect(findingsOf(report, 'fs-empty-password').map((f) => [f.evidence, f.location.path])).toEqual([['guest: empty password field in /etc/passwd', '/etc/passwd']])
  })

  it('judges the account files the final image shows', async () => {
    const report = await analyzeImage({ layers: [accounts(`${PASSWD}\ntoor:x:0:0::/root:/bin/sh`), accounts()] })
    expect(findingsOf(report, 'fs-extra-root-account')).toEqual([])
  })

  it('reports a shadow file others can read, and its backup', async () => {
    const report = await analyzeImage({ layers: [[...accounts(PASSWD, SHADOW, GROUP, 0o644), { path: '/etc/shadow-', content: SHADOW, mode: 0o644 }, { path: '/etc/gshadow-', content: '', mode: 0o600 }]] })
    expect(findingsOf(report, 'fs-shadow-readable').map((f) => [f.location.path, f.evidence])).toEqual([
      ['/etc/shadow', 'mode 0644'],
      ['/etc/shadow-', 'mode 0644'],
    ])
  })
})

describe('fs-world-writable', () => {
  it('reports world-writable files and directories once per directory, high in system trees', async () => {
    const report = await analyzeImage({
      layers: [
        [
          { path: '/tmp', type: EntryType.Directory, mode: 0o1777 },
          { path: '/app/data', type: EntryType.Directory, mode: 0o777 },
          { path: '/app/data/a', content: 'a', mode: 0o666 },
          { path: '/app/data/b', content: 'b', mode: 0o666 },
          { path: '/etc/app.conf', content: 'x', mode: 0o666 },
          { path: '/opt/run.sh', content: 'x', mode: 0o777 },
          { path: '/app/link', type: EntryType.Symlink, linkname: '/app/data', mode: 0o777 },
          { path: '/dev/null', type: EntryType.CharDevice, mode: 0o666 },
        ],
      ],
    })
    expect(findingsOf(report, 'fs-world-writable').map((f) => [f.severity, f.location.path, f.evidence])).toEqual([
      ['high', '/etc/app.conf', 'file, mode 0666'],
      ['high', '/opt/run.sh', 'file, mode 0777'],
      ['medium', '/app/data', 'directory, mode 0777; 2 world-writable entries inside'],
    ])
  })
})

describe('files left behind', () => {
  it.each<[string, FileSpec[], string, string, string]>([
    ['a shell history', [{ path: '/root/.bash_history', content: 'mysql -p s3cret\n' }], 'fs-shell-history', '/root/.bash_history', '16 bytes'],
    ['Git metadata', [{ path: '/app/.git/HEAD', content: 'ref: x\n' }, { path: '/app/.git/config', content: '[core]\n' }, { path: '/app/.git/modules/sub/.git/HEAD', content: 'x' }], 'fs-vcs-metadata', '/app/.git', 'git metadata: 3 files, 15 bytes'],
    ['a .env file', [{ path: '/app/.env', content: 'DB=x\n' }], 'fs-dotenv-file', '/app/.env', '5 bytes'],
    ['AWS CLI configuration', [{ path: '/root/.aws/config', content: '[default]\n' }], 'fs-cloud-cli-config', '/root/.aws', 'aws configuration: 1 file, 10 bytes'],
    ['gcloud configuration', [{ path: '/home/u/.config/gcloud/credentials.db', content: 'x' }], 'fs-cloud-cli-config', '/home/u/.config/gcloud', 'config/gcloud configuration: 1 file, 1 bytes'],
    ['a shadow backup', [{ path: '/root/shadow.bak', content: 'root:*:1::::::\n', mode: 0o644 }], 'fs-shadow-copy', '/root/shadow.bak', '15 bytes, mode 0644'],
    ['a Dockerfile', [{ path: '/app/Dockerfile', content: 'FROM x\n' }], 'fs-unnecessary-file', '/app/Dockerfile', 'Dockerfile'],
    ['an editor directory', [{ path: '/app/.vscode/settings.json', content: '{}' }], 'fs-unnecessary-file', '/app/.vscode', '.vscode directory: 1 file, 2 bytes'],
  ])('reports %s', async (_name, files, ruleId, path, evidence) => {
    const report = await analyzeImage({ layers: [files] })
    expect(findingsOf(report, ruleId).map((f) => [f.location.path, f.evidence])).toEqual([[path, evidence]])
  })

  it('reports a core dump found by its ELF header', async () => {
    const core = Buffer.alloc(128)
    core.write('\x7fELF', 0, 'latin1')
    core[4] = 2
    core[5] = 1
    core.writeUInt16LE(4, 16)
    const report = await analyzeImage({ layers: [[{ path: '/app/core', content: core }, { path: '/app/core.txt', content: 'not a dump' }]] })
    expect(findingsOf(report, 'fs-core-dump').map((f) => [f.location.path, f.evidence])).toEqual([['/app/core', 'ELF core file, 128 bytes']])
  })

  it.each<[string, FileSpec[]]>([
    ['an empty history file', [{ path: '/root/.bash_history', content: '' }]],
    ['a .env example', [{ path: '/app/.env.example', content: 'DB=\n' }]],
    ['files inside language packages and docs', [{ path: '/app/node_modules/x/.git/HEAD', content: 'x' }, { path: '/app/node_modules/x/Dockerfile', content: 'x' }, { path: '/usr/share/doc/x/examples/.env', content: 'x' }]],
    ['the shadow tools\' own backups', [{ path: '/etc/shadow-', content: 'x', mode: 0o600 }, { path: '/etc/gshadow-', content: 'x', mode: 0o600 }]],
    ['a file named core that is not a dump', [{ path: '/app/core', content: 'text' }]],
  ])('leaves %s alone', async (_name, files) => {
    const report = await analyzeImage({ layers: [files] })
    expect(report.findings.filter((f) => f.category === 'filesystem')).toEqual([])
  })
})

describe('fs-setuid-file severity', () => {
  it('is info in the base layer and for package files, medium when a later layer adds one by hand', async () => {
    const report = await analyzeImage({
      layers: [
        [...dpkgDatabase([{ name: 'mount', version: '2.38', files: ['/usr/bin/mount', '/usr/bin/newmount'] }]), { path: '/usr/bin/mount', content: 'x', mode: 0o4755 }, { path: '/usr/bin/su', content: 'x', mode: 0o4755 }],
        [...dpkgDatabase([{ name: 'mount', version: '2.38', files: ['/usr/bin/mount', '/usr/bin/newmount'] }]), { path: '/usr/bin/newmount', content: 'x', mode: 0o4755 }, { path: '/usr/local/bin/helper', content: 'x', mode: 0o6755 }],
      ],
    })
    expect(findingsOf(report, ['fs-setuid-file', 'fs-setgid-file']).map((f) => [f.ruleId, f.severity, f.location.path])).toEqual([
      ['fs-setgid-file', 'medium', '/usr/local/bin/helper'],
      ['fs-setuid-file', 'medium', '/usr/local/bin/helper'],
      ['fs-setuid-file', 'info', '/usr/bin/mount'],
      ['fs-setuid-file', 'info', '/usr/bin/su'],
      ['fs-setuid-file', 'info', '/usr/bin/newmount'],
    ])
  })
})
