/**
 * Errors raised by the pushscan core.
 *
 * Every error has a `name`, a stable machine-readable `code` from {@link ErrorCode}, an
 * optional `cause`, and says whether it is `temporary`: a temporary failure (network, 429,
 * 5xx) is worth retrying later; a permanent one (bad manifest, digest mismatch, a limit
 * exceeded) is reported as a `failed` scan with its code and never retried.
 *
 * @module
 */

/** The closed vocabulary of error codes. Users' scripts match on these: never rename one. */
export const ErrorCode = {
  // input the user or a webhook gave us
  ReferenceInvalid: 'REFERENCE_INVALID',
  PlatformInvalid: 'PLATFORM_INVALID',
  PlatformNotFound: 'PLATFORM_NOT_FOUND',
  CredentialsInvalid: 'CREDENTIALS_INVALID',
  Usage: 'USAGE',
  // talking to a registry
  RegistryUnreachable: 'REGISTRY_UNREACHABLE',
  RegistryTimeout: 'REGISTRY_TIMEOUT',
  RegistryUnavailable: 'REGISTRY_UNAVAILABLE',
  RegistryError: 'REGISTRY_ERROR',
  RegistryInsecure: 'REGISTRY_INSECURE',
  RateLimited: 'RATE_LIMITED',
  Unauthorized: 'UNAUTHORIZED',
  Denied: 'DENIED',
  TokenFailed: 'TOKEN_FAILED',
  TooManyRedirects: 'TOO_MANY_REDIRECTS',
  ManifestUnknown: 'MANIFEST_UNKNOWN',
  BlobUnknown: 'BLOB_UNKNOWN',
  // what the registry or archive gave us
  ManifestInvalid: 'MANIFEST_INVALID',
  ManifestSchema1: 'MANIFEST_SCHEMA1',
  ManifestUnsupported: 'MANIFEST_UNSUPPORTED',
  ManifestTooLarge: 'MANIFEST_TOO_LARGE',
  ManifestDigestMismatch: 'MANIFEST_DIGEST_MISMATCH',
  ConfigInvalid: 'CONFIG_INVALID',
  ConfigTooLarge: 'CONFIG_TOO_LARGE',
  BlobDigestMismatch: 'BLOB_DIGEST_MISMATCH',
  BlobSizeMismatch: 'BLOB_SIZE_MISMATCH',
  BlobTooLarge: 'BLOB_TOO_LARGE',
  DiffIdMismatch: 'DIFF_ID_MISMATCH',
  LayerUnsupported: 'LAYER_UNSUPPORTED',
  LayerCorrupt: 'LAYER_CORRUPT',
  // limits against hostile input
  LayerTooLarge: 'LAYER_TOO_LARGE',
  LayerTooManyEntries: 'LAYER_TOO_MANY_ENTRIES',
  ImageTooLarge: 'IMAGE_TOO_LARGE',
  TooManyLayers: 'TOO_MANY_LAYERS',
  TooManyPlatforms: 'TOO_MANY_PLATFORMS',
  // local image archives
  ArchiveInvalid: 'ARCHIVE_INVALID',
  ArchiveNotFound: 'ARCHIVE_NOT_FOUND',
  // the service: webhooks, queue messages, policy
  WebhookInvalid: 'WEBHOOK_INVALID',
  WebhookUnauthorized: 'WEBHOOK_UNAUTHORIZED',
  ScanRequestInvalid: 'SCAN_REQUEST_INVALID',
  RegistryNotAllowed: 'REGISTRY_NOT_ALLOWED',
  ConfigMissing: 'CONFIG_MISSING',
  ConfigInvalidValue: 'CONFIG_INVALID_VALUE',
  QueueUnavailable: 'QUEUE_UNAVAILABLE',
  StoreUnavailable: 'STORE_UNAVAILABLE',
  // packages
  PackageDbCorrupt: 'PACKAGE_DB_CORRUPT',
  PurlInvalid: 'PURL_INVALID',
  PackageMetadataInvalid: 'PACKAGE_METADATA_INVALID',
  ElfInvalid: 'ELF_INVALID',
  ZipInvalid: 'ZIP_INVALID',
  ZipTooLarge: 'ZIP_TOO_LARGE',
  ZipPathInvalid: 'ZIP_PATH_INVALID',
  ZipUnsupported: 'ZIP_UNSUPPORTED',
  // vulnerability data
  VulnRecordInvalid: 'VULN_RECORD_INVALID',
  VulnIndexInvalid: 'VULN_INDEX_INVALID',
  VersionInvalid: 'VERSION_INVALID',
  EcosystemUnsupported: 'ECOSYSTEM_UNSUPPORTED',
  VulnIndexMissing: 'VULN_INDEX_MISSING',
  VulnSourceNotFound: 'VULN_SOURCE_NOT_FOUND',
  VulnSourceUnavailable: 'VULN_SOURCE_UNAVAILABLE',
  VulnSourceInvalid: 'VULN_SOURCE_INVALID',
  VulnSourceTooLarge: 'VULN_SOURCE_TOO_LARGE',
  NotificationFailed: 'NOTIFICATION_FAILED',
  // provenance
  SignatureInvalid: 'SIGNATURE_INVALID',
  AttestationInvalid: 'ATTESTATION_INVALID',
  ReferrersInvalid: 'REFERRERS_INVALID',
  TrustedKeyInvalid: 'TRUSTED_KEY_INVALID',
  // analysis
  AnalyzerFailed: 'ANALYZER_FAILED',
  // exporting a report (CycloneDX, SPDX, SARIF)
  ReportInvalid: 'REPORT_INVALID',
  Internal: 'INTERNAL',
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

export interface PushscanErrorOptions {
  /** The underlying error, kept for logs; never shown to report readers verbatim. */
  cause?: unknown
  /** True when retrying later may succeed. Defaults to false. */
  temporary?: boolean
}

/** Base class of every error the core throws on purpose. */
export class PushscanError extends Error {
  override name = 'PushscanError'
  readonly code: ErrorCode
  readonly temporary: boolean

  constructor(code: ErrorCode, message: string, options: PushscanErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.temporary = options.temporary ?? false
  }
}

/** A reference, platform or option the user or a webhook gave us does not parse. */
export class InputError extends PushscanError {
  override name = 'InputError'
}

/** A manifest, index or config that is malformed, unsupported or does not match its digest. */
export class ManifestError extends PushscanError {
  override name = 'ManifestError'
}

/** A layer that cannot be read: corrupt compression or tar, wrong digest, unsupported type. */
export class LayerError extends PushscanError {
  override name = 'LayerError'
}

/** A configured limit was exceeded (decompression bombs, huge entry counts, huge images). */
export class LimitError extends PushscanError {
  override name = 'LimitError'
  readonly limit: string
  readonly value: number

  constructor(code: ErrorCode, limit: string, value: number, message: string) {
    super(code, message)
    this.limit = limit
    this.value = value
  }
}

/** A local image archive (docker-archive, oci-archive, OCI layout) that cannot be read. */
export class ArchiveError extends PushscanError {
  override name = 'ArchiveError'
}

/** True when `error` is worth retrying later (network trouble, throttling, registry outages). */
export function isTemporary(error: unknown): boolean {
  return error instanceof PushscanError && error.temporary
}

/**
 * The stable code and a one-line message for any thrown value, for `failed` reports and
 * the CLI. Unknown errors become `INTERNAL` so a report never carries a stack trace.
 */
export function describeError(error: unknown): { code: ErrorCode; message: string } {
  if (error instanceof PushscanError) return { code: error.code, message: error.message }
  const message = error instanceof Error ? error.message : String(error)
  return { code: ErrorCode.Internal, message: `internal error: ${message}` }
}
