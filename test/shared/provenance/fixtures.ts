/**
 * Factories for the provenance tests: keys, cosign payloads and signatures made the way
 * cosign makes them, manifests, and self-signed certificates from the openssl CLI (node:crypto
 * cannot issue certificates).
 *
 * @module
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseManifest, type ImageManifest, type ImageIndex } from '../../../shared/image/manifest.js'
import { MediaType } from '../../../shared/image/media-types.js'
import { makeTempDir, removeDir } from '../../support/temp-dir.js'
import { runCommand } from '../../support/run-command.js'

/** A well-formed sha256 digest made of one repeated hex character. */
export function digestOf(char: string): string {
  return `sha256:${char.repeat(64)}`
}

export function bytesOf(value: unknown): Uint8Array {
  return new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value))
}

export interface KeyPair {
  privateKey: KeyObject
  publicKey: KeyObject
  publicPem: string
}

/** An ECDSA P-256 key pair, like `cosign generate-key-pair` makes. */
export function p256KeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return { privateKey, publicKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }
}

export function ed25519KeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return { privateKey, publicKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }
}

export function rsaKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return { privateKey, publicKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }
}

/** The simple-signing payload `cosign sign` creates for `repository@digest`. */
export function simpleSigningPayload(digest: string, repository: string, optional: Record<string, unknown> | null = null): Uint8Array {
  return bytesOf({
    critical: {
      identity: { 'docker-reference': repository },
      image: { 'docker-manifest-digest': digest },
      type: 'cosign container image signature',
    },
    optional,
  })
}

/** Signs bytes as cosign does: SHA-256, ECDSA signature in ASN.1 DER, base64. */
export function cosignSign(payload: Uint8Array, privateKey: KeyObject): string {
  const type = privateKey.asymmetricKeyType
  return sign(type === 'ed25519' ? null : 'sha256', payload, privateKey).toString('base64')
}

/** A copy of `bytes` with one byte changed. */
export function flipByte(bytes: Uint8Array, index: number): Uint8Array {
  const copy = new Uint8Array(bytes)
  const at = index < 0 ? copy.length + index : index
  copy[at] = copy[at]! ^ 0x01
  return copy
}

/** A base64 signature with one byte of the decoded signature changed. */
export function flipSignatureByte(signatureBase64: string, index: number): string {
  return Buffer.from(flipByte(new Uint8Array(Buffer.from(signatureBase64, 'base64')), index)).toString('base64')
}

/** Parses a manifest document the way the scan does, from its bytes. */
export function manifestOf(json: Record<string, unknown>): ImageManifest {
  const manifest = parseManifest(bytesOf({ schemaVersion: 2, ...json }))
  if (manifest.kind !== 'manifest') throw new Error('expected a manifest')
  return manifest
}

export function indexOf(json: Record<string, unknown>): ImageIndex {
  const index = parseManifest(bytesOf({ schemaVersion: 2, mediaType: MediaType.OciIndex, ...json }))
  if (index.kind !== 'index') throw new Error('expected an index')
  return index
}

export interface SelfSignedCertificate {
  certificatePem: string
  privateKey: KeyObject
}

/**
 * A self-signed ECDSA P-256 certificate naming `subjectAltName` (an openssl SAN list such as
 * `email:dev@example.com` or `URI:https://…`), shaped like a Fulcio leaf.
 */
export async function selfSignedCertificate(subjectAltName: string): Promise<SelfSignedCertificate> {
  const dir = await makeTempDir('provenance-cert')
  try {
    const config = join(dir, 'openssl.cnf')
    await writeFile(
      config,
      ['[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', 'O = sigstore.dev', '[leaf]', `subjectAltName = ${subjectAltName}`, 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = codeSigning', ''].join('\n')
    )
    const keyPath = join(dir, 'key.pem')
    const certPath = join(dir, 'cert.pem')
    await runCommand('openssl', [
      'req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', '1', '-config', config, '-extensions', 'leaf',
    ])
    return { certificatePem: await readFile(certPath, 'utf8'), privateKey: createPrivateKey(await readFile(keyPath, 'utf8')) }
  } finally {
    await removeDir(dir)
  }
}
