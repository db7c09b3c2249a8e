/**
 * `pushscan vulndb import|refresh|status`: the vulnerability index in the data directory
 * (`$PUSHSCAN_DATA_DIR/store`, the store `npm start` and the layer cache use), and the index
 * `pushscan scan` matches against.
 *
 * @module
 */
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Agent } from 'undici'
import { ENV, loadVulndbConfig } from '../../shared/config.js'
import { ErrorCode, InputError, PushscanError } from '../../shared/errors.js'
import { parseSize } from '../../shared/layers/limits.js'
import { systemClock } from '../../shared/ports/clock.js'
import type { Logger } from '../../shared/ports/logger.js'
import type { SourceImport, VulnIndexHead } from '../../shared/ports/vuln-index-store.js'
import { ReportStore } from '../../shared/report/report-store.js'
import { SCANNER_NAME, SCANNER_VERSION } from '../../shared/version.js'
import { importSources } from '../../shared/vulns/import/import-sources.js'
import { DEFAULT_IMPORT_LIMITS, sourceKind, type ImportLimits } from '../../shared/vulns/import/read-source.js'
import { ObjectVulnIndexStore } from '../../shared/vulns/object-vuln-index-store.js'
import { lastRefresh, refreshVulnerabilities, type RefreshResult } from '../../shared/vulns/refresh.js'
import { loadedIndex, type LoadedVulnIndex } from '../../shared/vulns/report-vulns.js'
import { FsObjectStore } from '../local/store/fs-object-store.js'
import { defaultDataDir } from '../runtime/data-dir.js'
import { UndiciDownloader } from '../runtime/undici-downloader.js'
import { WebhookNotifier } from '../runtime/webhook-notifier.js'
import type { CliIo } from './cli-io.js'
import { stderrLogger } from './stderr-logger.js'

export const VULNDB_USAGE = `Usage:
  pushscan vulndb import SOURCE… [options]   add OSV records to the vulnerability index
  pushscan vulndb refresh [SOURCE…] [options]
                                 re-import (SOURCEs, else $${ENV.VulndbSources}), then
                                 re-match every report \`npm start\` stored, and notify
                                 $${ENV.NotifyUrl} about new critical and high ones
  pushscan vulndb status [--format text|json]

SOURCE is a directory of OSV JSON records, a zip of them (OSV's
https://osv-vulnerabilities.storage.googleapis.com/<Ecosystem>/all.zip), one JSON
record, or an http(s) URL of such a zip. The index lives in the data directory
($${ENV.DataDir}, else ~/.local/share/pushscan).

Options:
  --format text|json           output (default text)
  --limit NAME=VALUE           maxArchiveBytes (1GiB), maxRecords (1000000),
                               maxRecordBytes (16MiB), maxTotalBytes (4GiB)
  --verbose                    log progress to stderr

Exit status: 0 done, 2 failed (the index is left as it was).
`

const EXIT_OK = 0
const EXIT_FAILED = 2

/** The data directory's object store. */
function localObjects(io: CliIo): FsObjectStore {
  return new FsObjectStore(join(defaultDataDir(io.env, io.homeDir), 'store'))
}

/**
 * The index `pushscan scan` matches against: the one in the data directory, or null when
 * there is none. An index that cannot be read fails the scan rather than hiding vulnerabilities.
 */
export async function loadLocalVulnIndex(io: CliIo, logger: Logger): Promise<LoadedVulnIndex | null> {
  try {
    const found = await new ObjectVulnIndexStore(localObjects(io), logger).load()
    return found ? loadedIndex(found.index) : null
  } catch (error) {
    if (error instanceof PushscanError) {
      throw new PushscanError(error.code, `${error.message} (import the data again, or scan with --no-vulndb)`, { cause: error, temporary: error.temporary })
    }
    throw error
  }
}

/** `--limit NAME=VALUE` for imports. */
export function resolveImportLimits(overrides: readonly string[]): ImportLimits {
  const limits: ImportLimits = { ...DEFAULT_IMPORT_LIMITS }
  for (const override of overrides) {
    const eq = override.indexOf('=')
    const name = override.slice(0, eq).trim()
    if (eq <= 0 || !Object.hasOwn(DEFAULT_IMPORT_LIMITS, name)) throw new InputError(ErrorCode.Usage, `unknown limit "${override}"; known: ${Object.keys(DEFAULT_IMPORT_LIMITS).join(', ')}`)
    limits[name as keyof ImportLimits] = parseSize(override.slice(eq + 1))
  }
  return limits
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', default: 'text' },
      limit: { type: 'string', multiple: true, default: [] },
      verbose: { type: 'boolean', default: false },
    },
  })
}

function sourceCounts(sources: readonly SourceImport[]): string[] {
  return sources.map((s) => `  ${s.source}: ${s.records} records (${s.added} added, ${s.updated} updated, ${s.unchanged} unchanged, ${s.invalid} invalid)`)
}

function headLines(head: VulnIndexHead): string[] {
  const sources = Object.entries(head.sources).map(([name, n]) => `${name} ${n}`).join(', ')
  return [`vulnerability index: ${head.records} records, imported ${head.importedAt}`, `  by database: ${sources || 'none'}`]
}

function refreshLines(result: RefreshResult): string[] {
  const r = result.reports
  const notification = result.notification
  return [
    `refreshed ${result.refreshedAt} against the index imported ${result.index.importedAt} (${result.index.records} records)`,
    ...(result.imported ? ['imported:', ...sourceCounts(result.imported)] : []),
    `reports: ${r.checked} checked, ${r.changed} changed, ${r.restamped} restamped, ${r.unchanged} unchanged, ${r.skipped} skipped, ${r.failed} failed`,
    `new critical or high vulnerabilities: ${result.newVulnerabilities}; notification: ${notification.status}${notification.attempts ? ` after ${notification.attempts} attempt${notification.attempts === 1 ? '' : 's'}` : ''}${notification.error ? ` (${notification.error})` : ''}`,
  ]
}

function write(io: CliIo, format: string, json: unknown, lines: () => string[]): void {
  io.stdout.write(format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : `${lines().join('\n')}\n`)
}

/** Runs `pushscan vulndb ARGS…`. */
export async function vulndbCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...args] = argv
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    io.stdout.write(VULNDB_USAGE)
    return sub === undefined ? EXIT_FAILED : EXIT_OK
  }
  if (sub !== 'import' && sub !== 'refresh' && sub !== 'status') throw new InputError(ErrorCode.Usage, `unknown vulndb command "${sub}"; see pushscan vulndb --help`)
  const { values, positionals } = parse(args)
  if (values.format !== 'text' && values.format !== 'json') throw new InputError(ErrorCode.Usage, `unknown format "${values.format}"; use text or json`)
  const logger = stderrLogger(io.stderr, values.verbose)
  const objects = localObjects(io)
  const store = new ObjectVulnIndexStore(objects, logger)

  if (sub === 'status') {
    if (positionals.length > 0) throw new InputError(ErrorCode.Usage, 'vulndb status takes no arguments')
    const head = await store.head()
    const refresh = await lastRefresh(objects)
    write(io, values.format, { index: head ?? null, lastRefresh: refresh ?? null }, () => [
      ...(head ? [...headLines(head), 'last import:', ...sourceCounts(head.lastImport)] : ['vulnerability index: none (pushscan vulndb import SOURCE… makes one)']),
      refresh ? `last refresh: ${refreshLines(refresh).join('\n  ')}` : 'last refresh: never',
    ])
    return EXIT_OK
  }

  const limits = resolveImportLimits(values.limit)
  const resolveSource = (source: string): string => (sourceKind(source) === 'path' ? resolve(io.cwd, source) : source)
  const userAgent = `${SCANNER_NAME}/${SCANNER_VERSION}`
  const dispatcher = new Agent({ connections: 4 })
  try {
    const downloader = new UndiciDownloader({ dispatcher, userAgent })
    if (sub === 'import') {
      if (positionals.length === 0) throw new InputError(ErrorCode.Usage, 'vulndb import needs at least one SOURCE; see pushscan vulndb --help')
      const result = await importSources(positionals.map(resolveSource), { store, downloader, clock: systemClock, logger }, { limits })
      write(io, values.format, { index: result.head, sources: result.sources }, () => ['imported:', ...sourceCounts(result.sources), ...headLines(result.head)])
      return EXIT_OK
    }
    const config = loadVulndbConfig(io.env)
    const sources = (positionals.length > 0 ? positionals : config.sources).map(resolveSource)
    const result = await refreshVulnerabilities(
      { sources, limits },
      {
        index: store,
        reports: new ReportStore(objects),
        objects,
        downloader,
        clock: systemClock,
        logger,
        ...(config.notify ? { notifier: new WebhookNotifier({ ...config.notify, dispatcher, userAgent }) } : {}),
      }
    )
    write(io, values.format, result, () => refreshLines(result))
    if (result.notification.status === 'failed') {
      io.stderr.write(`pushscan: warning: a notification was not delivered (${result.notification.error ?? ''}); its body is kept in the store: ${result.notification.undelivered?.join(', ') ?? '(it could not be kept)'}\n`)
    }
    if (result.reports.failed > 0) {
      io.stderr.write(`pushscan: ${ErrorCode.StoreUnavailable}: ${result.reports.failed} stored reports could not be re-matched (see the warnings above)\n`)
      return EXIT_FAILED
    }
    return EXIT_OK
  } finally {
    await dispatcher.close()
  }
}
