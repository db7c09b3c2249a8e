/**
 * The report document: one per platform image, and an index report around them. These
 * names are a promise to users' scripts; `report.schema.json` beside this file publishes
 * them as a JSON Schema and every report the tests produce is validated against it.
 *
 * @module
 */
import type { ErrorCode } from '../errors.js'

export const REPORT_SCHEMA_VERSION = 1

export const Severity = {
  Critical: 'critical',
  High: 'high',
  Medium: 'medium',
  Low: 'low',
  Info: 'info',
} as const
export type Severity = (typeof Severity)[keyof typeof Severity]

/** Severities from the most to the least severe; `unknown` is only for vulnerabilities. */
export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info', 'unknown'] as const
export type SeverityOrUnknown = (typeof SEVERITY_ORDER)[number]

export const Category = {
  Secret: 'secret',
  Malware: 'malware',
  History: 'history',
  Config: 'config',
  Filesystem: 'filesystem',
  Provenance: 'provenance',
} as const
export type Category = (typeof Category)[keyof typeof Category]

export interface FindingLocation {
  /** DiffID of the layer that introduced what the finding is about. */
  layer?: string
  /** Absolute path inside the image. */
  path?: string
  /** 1-based line in that file. */
  line?: number
  /** Index of the history entry that built the layer, or the entry the finding is about. */
  history?: number
  /**
   * DiffID of a later layer that deleted or replaced the file: it is gone from the
   * container's filesystem, but its bytes are still in `layer` for anyone who pulls the image.
   */
  removedIn?: string
}

export interface Finding {
  ruleId: string
  category: Category
  severity: Severity
  title: string
  location: FindingLocation
  /** A redacted preview; never a whole secret. */
  evidence?: string
}

export interface ReportError {
  code: ErrorCode
  message: string
  /** The analyzer that failed, when one did. */
  analyzer?: string
  /** The layer (DiffID) being read, when it matters. */
  layer?: string
}

export interface ReportPlatform {
  os: string
  architecture: string
  variant?: string
}

export interface ReportSubject {
  /** `registry`, `docker-archive`, `oci-archive` or `oci`. */
  source: 'registry' | 'docker-archive' | 'oci-archive' | 'oci'
  registry: string
  repository: string
  /** The manifest digest (the image) or, in an index report, the index digest. */
  digest: string
  tags: string[]
  platform?: ReportPlatform
  /** In an image report that came from an index: the index digest. */
  indexDigest?: string
  /** For archives and layouts: the path read. */
  path?: string
}

export interface ReportConfig {
  user: string | null
  env: string[]
  entrypoint: string[] | null
  cmd: string[] | null
  workingDir: string | null
  exposedPorts: string[]
  volumes: string[]
  labels: Record<string, string>
  stopSignal: string | null
  healthcheck: { test: string[]; intervalSeconds?: number; timeoutSeconds?: number; startPeriodSeconds?: number; retries?: number } | null
  shell: string[] | null
  onBuild: string[]
}

export interface ReportHistoryEntry {
  createdBy: string
  created: string | null
  emptyLayer: boolean
  /** DiffID of the layer this entry built. */
  layer?: string
  author?: string
  comment?: string
}

export interface ReportLayer {
  digest: string
  diffId: string
  mediaType: string
  /** Compressed size, as stored in the registry. */
  size: number
  uncompressedSize: number
  /** Entries that are not directories or whiteouts. */
  files: number
  createdBy: string | null
  /** Set when the layer could not be read (a foreign layer the registry does not serve). */
  skipped?: string
}

export interface ReportOs {
  family: string
  version: string
  name?: string
  versionCodename?: string
  /** When the release's support ends (or ended), where pushscan's table knows it. */
  endOfLife?: { date: string; reached: boolean }
}

export interface Efficiency {
  /** 1 when no byte is stored twice; as Dive computes it. */
  score: number
  wastedBytes: number
  /** wastedBytes / the bytes of every layer but the first, as a percentage. */
  userWastedPercent: number
  /** The paths wasting the most, largest first (at most 20). */
  topWasted: Array<{ path: string; layers: number; cumulativeSize: number }>
}

export interface Package {
  /** The purl type: `deb`, `apk`, `rpm`, `npm`, `pypi`, `golang`, `maven`, `gem`, `cargo`, `composer`, `nuget`. */
  type: string
  name: string
  version: string
  purl: string
  /** DiffID of the first layer from which this name and version are present to the end. */
  layer: string
  /** The source package (deb `Source`, apk origin, rpm source rpm name). */
  source?: string
  /** The source package's version, when it differs from `version` (a binNMU). */
  sourceVersion?: string
  /** Declared licences, as written. */
  licenses?: string[]
  /** Language packages: the file it was read from (`!/` joins nested archives). */
  path?: string
  /** The files the package database lists for it, where it lists them (dpkg, apk, rpm). */
  files?: string[]
}

/** Which vulnerability index the report was matched against; `none` when there was none. */
export type VulnerabilityIndexInfo =
  | { status: 'none' }
  | { status: 'loaded'; importedAt: string; records: number; sources: Record<string, number> }

export interface Vulnerability {
  id: string
  aliases: string[]
  package: { type: string; name: string; version: string; purl: string }
  fixedVersion?: string
  severity: SeverityOrUnknown
  layer: string
}

export interface Provenance {
  signatures: Array<{ format: 'cosign' | 'notation'; artifact: string; via: 'tag' | 'referrers' | 'index'; verified: boolean | null; signer?: string; error?: string }>
  attestations: Array<{ predicateType: string; artifact: string; via: 'tag' | 'referrers' | 'index'; builder?: string; sourceRepository?: string; sourceRevision?: string }>
  sboms: Array<{ format: string; artifact: string; via: 'tag' | 'referrers' | 'index' }>
  /**
   * What the image was built from. With `evidence: history` the base is only guessed (its
   * name is unknown, `layers` says how many of the image's layers it holds).
   */
  baseImage: { name: string; digest: string; evidence: 'annotation' | 'label' | 'layers' | 'history'; confirmed: boolean | null; layers?: number } | null
  source: { repository?: string; revision?: string; created?: string }
  /** In the service: how the image differs from the one its tag pointed to before. */
  previous?: { tag: string; digest: string; kept: number; added: number; removed: number; baseChanged: boolean }
}

export type Summary = Record<SeverityOrUnknown, number>

/** What every report starts with, for one image or for an index. */
interface ReportHeader {
  schemaVersion: typeof REPORT_SCHEMA_VERSION
  status: 'complete' | 'failed'
  error?: { code: ErrorCode; message: string }
  scanner: { name: string; version: string; analyzers: Record<string, number> }
  subject: ReportSubject
  scannedAt: string
  durationMs: number
}

export interface ImageReport extends ReportHeader {
  kind: 'image'
  image: {
    os: ReportOs | null
    created: string | null
    /** Digest of the config blob: Docker's "image ID", the same for every copy of the image. */
    configDigest: string | null
    config: ReportConfig | null
    history: ReportHistoryEntry[]
    layers: ReportLayer[]
  }
  efficiency: Efficiency | null
  packages: Package[]
  vulnerabilities: Vulnerability[]
  /** What `vulnerabilities` was matched against (absent in reports written before it existed). */
  vulnerabilityIndex?: VulnerabilityIndexInfo
  findings: Finding[]
  provenance: Provenance
  summary: Summary
  errors: ReportError[]
}

export interface IndexReport extends ReportHeader {
  kind: 'index'
  /** Attestation manifests and platforms not asked for, with why they were not scanned. */
  skipped: Array<{ digest: string; platform?: ReportPlatform; reason: 'attestation' | 'platform-not-selected' | 'not-an-image' }>
  manifests: ImageReport[]
  summary: Summary
}

export type Report = ImageReport | IndexReport
