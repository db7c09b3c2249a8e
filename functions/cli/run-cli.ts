/**
 * `pushscan`: the command line. Thin wiring around the core: parse flags, build the image
 * source and the scan dependencies, print the report, map the outcome to an exit status
 * (0 done, 1 something at or above `--fail-on`, 2 the scan failed).
 *
 * @module
 */
import { readFile, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { parseArgs } from 'node:util'
import { Agent } from 'undici'
import { openLocalImage } from '../../shared/archives/index.js'
import { builtinRules, createAnalyzerSet } from '../../shared/analyzers/index.js'
import { describeError, ErrorCode, InputError, PushscanError } from '../../shared/errors.js'
import { parsePlatform, type Platform } from '../../shared/image/platform.js'
import { formatReference, parseReference } from '../../shared/image/reference.js'
import { resolveLimits } from '../../shared/layers/limits.js'
import { ObjectLayerCache } from '../../shared/layers/object-layer-cache.js'
import { systemClock } from '../../shared/ports/clock.js'
import type { ImageSource } from '../../shared/ports/image-source.js'
import { SEVERITY_ORDER, type Report, type SeverityOrUnknown } from '../../shared/report/model.js'
import { formatRulesMarkdown, formatRulesTsv } from '../../shared/report/format-rules.js'
import { formatTable } from '../../shared/report/format-table.js'
import { EXPORT_FORMATS, exportReport, isExportFormat } from '../../shared/report/exporters/index.js'
import { serialiseReport } from '../../shared/report/serialise.js'
import { hasAtOrAbove } from '../../shared/report/summary.js'
import { registryImageSource } from '../../shared/registry/registry-source.js'
import { UndiciRegistryClient } from '../../shared/registry/undici-registry-client.js'
import { registryBaseLookup } from '../../shared/scan/base-lookup.js'
import type { ProvenanceDeps } from '../../shared/scan/collect-provenance.js'
import { scanImage } from '../../shared/scan/scan-image.js'
import { loadTrustedKeys, type TrustedKey } from '../../shared/provenance/index.js'
import { SCANNER_NAME, SCANNER_VERSION } from '../../shared/version.js'
import { FsObjectStore } from '../local/store/fs-object-store.js'
import { defaultDataDir } from '../runtime/data-dir.js'
import type { CliIo } from './cli-io.js'
import { progressLine } from './progress-line.js'
import { credentialsFor, readPasswordFromStdin } from './registry-auth.js'
import { stderrLogger } from './stderr-logger.js'
import { loadLocalVulnIndex, vulndbCommand } from './vulndb-command.js'

export const ExitCode = { Ok: 0, FailOn: 1, Failed: 2 } as const

const FORMATS = ['json', 'table', ...EXPORT_FORMATS] as const

const USAGE = `Usage:
  pushscan scan REF [options]     scan an image and print its report
  pushscan rules [--format tsv|markdown]
                                  list the rules findings refer to
  pushscan vulndb import|refresh|status
                                  the vulnerability index (pushscan vulndb --help)
  pushscan --version

REF is a registry reference (nginx:1.27, 127.0.0.1:5000/team/app@sha256:…)
or a local image: docker-archive:PATH, oci-archive:PATH, oci:DIR[:TAG].

Options for scan:
  --format FORMAT              json (default), table, cyclonedx (CycloneDX 1.6),
                               spdx (SPDX 2.3) or sarif (SARIF 2.1.0)
  --output FILE                write the report to FILE instead of stdout
  --platform all|OS/ARCH[/V]   which platforms of an index to scan (default all)
  --insecure-registry HOST     reach HOST[:PORT] over plain HTTP (repeatable)
  --username U                 registry user; with --password-stdin
  --password-stdin             read the registry password from stdin
  --registry-auth FILE         docker config.json-style credentials file
  --fail-on SEVERITY           exit 1 when a finding or vulnerability is at or above SEVERITY
                               (critical, high, medium, low, info, unknown)
  --limit NAME=VALUE           change a limit, e.g. maxLayerBytes=8GiB (repeatable)
  --no-progress                no progress line on stderr
  --verify-key FILE            a cosign public key (PEM) signatures are verified
                               with (repeatable)
  --no-cache                   do not use or fill the layer cache in the data
                               directory ($PUSHSCAN_DATA_DIR, ~/.local/share/pushscan)
  --no-vulndb                  do not match packages against the vulnerability index
                               in the data directory (pushscan vulndb import)
  --verbose                    log retries and other details to stderr

Exit status: 0 done, 1 a finding or vulnerability at or above --fail-on, 2 the scan failed.
`

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'scan':
        return await scanCommand(rest, io)
      case 'rules':
        return rulesCommand(rest, io)
      case 'vulndb':
        return await vulndbCommand(rest, io)
      case '--version':
      case 'version':
        io.stdout.write(`${SCANNER_NAME} ${SCANNER_VERSION}\n`)
        return ExitCode.Ok
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.stdout.write(USAGE)
        return command === undefined ? ExitCode.Failed : ExitCode.Ok
      default:
        throw new InputError(ErrorCode.Usage, `unknown command "${command}"; see pushscan --help`)
    }
  } catch (error) {
    const { code, message } = describeError(error)
    io.stderr.write(`pushscan: ${code}: ${message}\n`)
    return ExitCode.Failed
  }
}

function rulesCommand(args: string[], io: CliIo): number {
  const { values } = parseArgs({ args, strict: true, options: { format: { type: 'string', default: 'tsv' } } })
  if (values.format === 'markdown') io.stdout.write(formatRulesMarkdown(builtinRules))
  else if (values.format === 'tsv') io.stdout.write(formatRulesTsv(builtinRules))
  else throw new InputError(ErrorCode.Usage, `unknown rules format "${values.format}"; use tsv or markdown`)
  return ExitCode.Ok
}

async function scanCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', default: 'json' },
      output: { type: 'string' },
      platform: { type: 'string', default: 'all' },
      'insecure-registry': { type: 'string', multiple: true, default: [] },
      username: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      'registry-auth': { type: 'string' },
      'fail-on': { type: 'string' },
      limit: { type: 'string', multiple: true, default: [] },
      'no-progress': { type: 'boolean', default: false },
      'no-cache': { type: 'boolean', default: false },
      'no-vulndb': { type: 'boolean', default: false },
      'verify-key': { type: 'string', multiple: true, default: [] },
      verbose: { type: 'boolean', default: false },
    },
  })
  if (positionals.length !== 1) throw new InputError(ErrorCode.Usage, 'scan takes exactly one image reference; see pushscan --help')
  const spec = positionals[0]!
  const format = values.format
  if (!(FORMATS as readonly string[]).includes(format)) throw new InputError(ErrorCode.Usage, `unknown format "${format}"; use one of ${FORMATS.join(', ')}`)
  const failOn = values['fail-on']
  if (failOn !== undefined && !(SEVERITY_ORDER as readonly string[]).includes(failOn)) {
    throw new InputError(ErrorCode.Usage, `--fail-on takes one of ${SEVERITY_ORDER.join(', ')}`)
  }
  if (values['password-stdin'] && values.username === undefined) throw new InputError(ErrorCode.Usage, '--password-stdin needs --username')
  const platform: Platform | undefined = values.platform === 'all' ? undefined : parsePlatform(values.platform)
  const limits = resolveLimits(values.limit)
  const logger = stderrLogger(io.stderr, values.verbose)

  const trustedKeys = await readTrustedKeys(values['verify-key'])
  const vulnIndex = values['no-vulndb'] ? null : await loadLocalVulnIndex(io, logger)
  const dispatcher = new Agent({ connections: 8, pipelining: 1 })
  let source: ImageSource | undefined
  let baseDiffIds: ProvenanceDeps['baseDiffIds']
  try {
    source = await openLocalImage(spec)
    if (!source) {
      const ref = parseReference(spec)
      const password = values['password-stdin'] ? await readPasswordFromStdin(io) : undefined
      const credentials = await credentialsFor(
        {
          registry: ref.registry,
          ...(values.username !== undefined ? { username: values.username } : {}),
          ...(password !== undefined ? { password } : {}),
          ...(values['registry-auth'] ? { registryAuth: values['registry-auth'] } : {}),
        },
        io,
        logger
      )
      const client = new UndiciRegistryClient({
        dispatcher,
        credentials,
        insecureRegistries: values['insecure-registry'],
        maxManifestBytes: limits.maxManifestBytes,
        userAgent: `${SCANNER_NAME}/${SCANNER_VERSION}`,
        logger,
      })
      logger.info(`scanning ${formatReference(ref)}`)
      source = registryImageSource(client, ref)
      baseDiffIds = registryBaseLookup(client, { limits })
    }
    const progress = io.stderr.isTTY && !values['no-progress'] ? progressLine(io.stderr) : undefined
    const cache = values['no-cache'] ? undefined : new ObjectLayerCache(new FsObjectStore(join(defaultDataDir(io.env, io.homeDir), 'store')), logger)
    let report: Report
    try {
      report = await scanImage(source, platform ? { platform } : {}, {
        ...(cache ? { cache } : {}),
        provenance: { trustedKeys, ...(baseDiffIds ? { baseDiffIds } : {}) },
        analyzers: createAnalyzerSet(),
        vulnerabilityIndex: async () => vulnIndex,
        limits,
        clock: systemClock,
        logger,
        scanner: { name: SCANNER_NAME, version: SCANNER_VERSION },
        ...(progress ? { onProgress: progress.onProgress } : {}),
      })
    } finally {
      progress?.done()
    }
    const text = format === 'table' ? formatTable(report) : isExportFormat(format) ? exportReport(report, format, { rules: builtinRules }) : serialiseReport(report)
    if (values.output) await writeFile(values.output, text)
    else io.stdout.write(text)
    if (report.status === 'failed') {
      io.stderr.write(`pushscan: scan failed: ${report.error?.code ?? ErrorCode.Internal}: ${report.error?.message ?? 'unknown error'}\n`)
      return ExitCode.Failed
    }
    if (failOn !== undefined && hasAtOrAbove(report, failOn as SeverityOrUnknown)) return ExitCode.FailOn
    return ExitCode.Ok
  } catch (error) {
    if (error instanceof PushscanError && error.temporary) {
      io.stderr.write(`pushscan: scan failed (temporary, try again later): ${error.code}: ${error.message}\n`)
      return ExitCode.Failed
    }
    throw error
  } finally {
    await source?.close()
    await dispatcher.close()
  }
}

/** Reads `--verify-key` files (PEM public keys). */
async function readTrustedKeys(paths: string[]): Promise<TrustedKey[]> {
  const keys: TrustedKey[] = []
  for (const path of paths) {
    let pem: string
    try {
      pem = await readFile(path, 'utf8')
    } catch (error) {
      throw new InputError(ErrorCode.TrustedKeyInvalid, `cannot read --verify-key ${path}: ${(error as Error).message}`)
    }
    keys.push(...loadTrustedKeys([{ name: basename(path), key: pem }]))
  }
  return keys
}
