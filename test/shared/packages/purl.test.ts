import { describe, expect, it } from 'vitest'
import {
  PURL_INVALID,
  PurlError,
  type PurlParts,
  apkPurl,
  debPurl,
  distroQualifier,
  encodePurlComponent,
  formatPurl,
  parsePurl,
  rpmPurl,
} from '../../../shared/packages/purl.js'

describe('parsePurl and formatPurl on the specification examples', () => {
  // canonical purls from PURL-TYPES.rst and the specification's test suite
  it.each<[string, PurlParts]>([
    ['pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie', { type: 'deb', namespace: 'debian', name: 'curl', version: '7.50.3-1', qualifiers: { arch: 'i386', distro: 'jessie' } }],
    ['pkg:deb/ubuntu/dpkg@1.19.0.4?arch=amd64', { type: 'deb', namespace: 'ubuntu', name: 'dpkg', version: '1.19.0.4', qualifiers: { arch: 'amd64' } }],
    ['pkg:deb/debian/attr@1:2.4.47-2?arch=source', { type: 'deb', namespace: 'debian', name: 'attr', version: '1:2.4.47-2', qualifiers: { arch: 'source' } }],
    ['pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64', { type: 'deb', namespace: 'debian', name: 'attr', version: '1:2.4.47-2+b1', qualifiers: { arch: 'amd64' } }],
    ['pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25', { type: 'rpm', namespace: 'fedora', name: 'curl', version: '7.50.3-1.fc25', qualifiers: { arch: 'i386', distro: 'fedora-25' } }],
    ['pkg:rpm/centerim@4.22.10-1.el6?arch=i686&distro=fedora-25&epoch=1', { type: 'rpm', name: 'centerim', version: '4.22.10-1.el6', qualifiers: { arch: 'i686', distro: 'fedora-25', epoch: '1' } }],
    ['pkg:apk/alpine/curl@7.83.0-r0?arch=x86', { type: 'apk', namespace: 'alpine', name: 'curl', version: '7.83.0-r0', qualifiers: { arch: 'x86' } }],
    ['pkg:npm/%40angular/animation@12.3.1', { type: 'npm', namespace: '@angular', name: 'animation', version: '12.3.1' }],
    ['pkg:npm/foobar@12.3.1', { type: 'npm', name: 'foobar', version: '12.3.1' }],
    ['pkg:pypi/django-allauth@12.23', { type: 'pypi', name: 'django-allauth', version: '12.23' }],
    ['pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources&type=zip', { type: 'maven', namespace: 'org.apache.xmlgraphics', name: 'batik-anim', version: '1.9.1', qualifiers: { classifier: 'sources', type: 'zip' } }],
    ['pkg:golang/github.com/gorilla/context@234fd47e07d1004f0aed9c', { type: 'golang', namespace: 'github.com/gorilla', name: 'context', version: '234fd47e07d1004f0aed9c' }],
    ['pkg:golang/google.golang.org/genproto#googleapis/api/annotations', { type: 'golang', namespace: 'google.golang.org', name: 'genproto', subpath: 'googleapis/api/annotations' }],
    ['pkg:docker/customer/dockerimage@sha256:244fd47e07d10?repository_url=gcr.io', { type: 'docker', namespace: 'customer', name: 'dockerimage', version: 'sha256:244fd47e07d10', qualifiers: { repository_url: 'gcr.io' } }],
    ['pkg:generic/openssl@1.1.10g?checksum=sha256:de4d501267da&download_url=https://openssl.org/source/openssl-1.1.0g.tar.gz', { type: 'generic', name: 'openssl', version: '1.1.10g', qualifiers: { checksum: 'sha256:de4d501267da', download_url: 'https://openssl.org/source/openssl-1.1.0g.tar.gz' } }],
    ['pkg:generic/bitwarderl?vcs_url=git%2Bhttps://git.fsfe.org/dxtr/bitwarderl%40cc55108da32', { type: 'generic', name: 'bitwarderl', qualifiers: { vcs_url: 'git+https://git.fsfe.org/dxtr/bitwarderl@cc55108da32' } }],
    ['pkg:generic/openssl@1.1.10g?checksum=sha1:ad9503c3e994a4f%2Csha256:41bf9088b3a1e6c1ef1d', { type: 'generic', name: 'openssl', version: '1.1.10g', qualifiers: { checksum: 'sha1:ad9503c3e994a4f,sha256:41bf9088b3a1e6c1ef1d' } }],
    ['pkg:github/package-url/purl-spec@244fd47e07d1004#everybody/loves/dogs', { type: 'github', namespace: 'package-url', name: 'purl-spec', version: '244fd47e07d1004', subpath: 'everybody/loves/dogs' }],
    ['pkg:gem/jruby-launcher@1.1.2?platform=java', { type: 'gem', name: 'jruby-launcher', version: '1.1.2', qualifiers: { platform: 'java' } }],
    ['pkg:cocoapods/GoogleUtilities@7.5.2#NSData%2Bzlib', { type: 'cocoapods', name: 'GoogleUtilities', version: '7.5.2', subpath: 'NSData+zlib' }],
    ['pkg:conan/openssl.org/openssl@3.0.3?channel=stable&user=bincrafters', { type: 'conan', namespace: 'openssl.org', name: 'openssl', version: '3.0.3', qualifiers: { channel: 'stable', user: 'bincrafters' } }],
  ])('%s', (text, parts) => {
    expect(parsePurl(text)).toEqual(parts)
    expect(formatPurl(parts)).toBe(text)
    expect(formatPurl(parsePurl(text))).toBe(text)
  })
})

describe('canonicalisation', () => {
  it.each<[string, string, string]>([
    ['sorts qualifiers by key', 'pkg:rpm/fedora/curl@7.50.3-1.fc25?distro=fedora-25&arch=i386', 'pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25'],
    ['lower-cases the scheme, type and qualifier keys', 'PKG:NPM/foo@1.0?Arch=X', 'pkg:npm/foo@1.0?arch=X'],
    ['drops slashes after the scheme', 'pkg:///maven/org.apache.commons/io', 'pkg:maven/org.apache.commons/io'],
    ['drops empty namespace segments', 'pkg:golang//github.com///gorilla//context', 'pkg:golang/github.com/gorilla/context'],
    ['drops empty qualifier values', 'pkg:deb/debian/curl@1?arch=&distro=bookworm', 'pkg:deb/debian/curl@1?distro=bookworm'],
    ['drops a question mark with no qualifiers', 'pkg:deb/debian/curl@1?', 'pkg:deb/debian/curl@1'],
    ['drops ., .. and empty subpath segments', 'pkg:golang/google.golang.org/genproto#/googleapis/./../api//annotations/', 'pkg:golang/google.golang.org/genproto#googleapis/api/annotations'],
    ['decodes an encoded colon', 'pkg:docker/customer/dockerimage@sha256%3A244fd47e07d10', 'pkg:docker/customer/dockerimage@sha256:244fd47e07d10'],
    ['accepts lower-case hex escapes', 'pkg:deb/debian/attr@1:2.4.47-2%2bb1', 'pkg:deb/debian/attr@1:2.4.47-2%2Bb1'],
    ['lower-cases pypi names and turns _ into -', 'pkg:pypi/Django_package@1.11.1', 'pkg:pypi/django-package@1.11.1'],
    ['lower-cases deb namespaces and names', 'pkg:deb/Debian/LibC6@2.36', 'pkg:deb/debian/libc6@2.36'],
    ['lower-cases apk names', 'pkg:apk/Alpine/Curl@8.0', 'pkg:apk/alpine/curl@8.0'],
    ['keeps rpm names as they are, lower-cases the vendor', 'pkg:rpm/Fedora/NetworkManager@1.44', 'pkg:rpm/fedora/NetworkManager@1.44'],
    ['keeps maven names as they are', 'pkg:maven/org.Apache/Commons-IO@2', 'pkg:maven/org.Apache/Commons-IO@2'],
    ['lower-cases golang namespaces and names', 'pkg:golang/github.com/Azure/Go-Autorest@v14', 'pkg:golang/github.com/azure/go-autorest@v14'],
    ['encodes an unencoded @ in an npm scope', 'pkg:npm/@babel/core@7.0.0', 'pkg:npm/%40babel/core@7.0.0'],
    ['encodes + in versions, keeps ~ and :', 'pkg:deb/debian/x@1:0.9~rc1+b2', 'pkg:deb/debian/x@1:0.9~rc1%2Bb2'],
    ['encodes spaces as %20', 'pkg:generic/my%20tool@1%202', 'pkg:generic/my%20tool@1%202'],
  ])('%s', (_label, input, canonical) => {
    expect(formatPurl(parsePurl(input))).toBe(canonical)
  })

  it('round-trips unusual characters in every component', () => {
    const parts: PurlParts = {
      type: 'generic',
      namespace: 'a b/c@d/é',
      name: 'n?a#m&e=/x',
      version: '1.0+build/7 ü',
      qualifiers: { note: 'x&y=z#?@ %', url: 'https://h/p?q=1' },
      subpath: 'dir one/file#1',
    }
    const text = formatPurl(parts)
    expect(text).toBe(
      'pkg:generic/a%20b/c%40d/%C3%A9/n%3Fa%23m%26e%3D%2Fx@1.0%2Bbuild%2F7%20%C3%BC?note=x%26y%3Dz%23%3F%40%20%25&url=https://h/p%3Fq%3D1#dir%20one/file%231',
    )
    expect(parsePurl(text)).toEqual(parts)
  })

  it('encodes what is not unreserved', () => {
    expect(encodePurlComponent("a-b_c.d~e:f!*'()[] /@")).toBe('a-b_c.d~e:f%21%2A%27%28%29%5B%5D%20%2F%40')
    expect(encodePurlComponent('a/b', true)).toBe('a/b')
  })
})

describe('invalid purls', () => {
  it.each<[string, string]>([
    ['no scheme', 'EnterpriseLibrary.Common@6.0.1304'],
    ['no type', 'pkg:EnterpriseLibrary.Common@6.0.1304'],
    ['an invalid character in the type', 'pkg:n&g?inx/nginx@0.8.9'],
    ['a type starting with a digit', 'pkg:3nginx/nginx@0.8.9'],
    ['a colon in the type', 'pkg:nginx:a/nginx@0.8.9'],
    ['a space in a qualifier key', 'pkg:npm/myartifact@1.0.0?in%20production=true'],
    ['no name', 'pkg:maven/@1.3.4'],
    ['an encoded scheme separator', 'pkg%3Amaven/org.apache.commons/io'],
    ['another scheme', 'http:maven/org.apache.commons/io'],
    ['a qualifier without "="', 'pkg:deb/debian/curl?arch'],
    ['a repeated qualifier key', 'pkg:deb/debian/curl?arch=a&ARCH=b'],
    ['a bad escape', 'pkg:deb/debian/cu%zzrl'],
    ['an escape that is not UTF-8', 'pkg:deb/debian/cu%ffrl'],
    ['an encoded slash in a namespace segment', 'pkg:golang/github.com%2Fgorilla/context'],
  ])('rejects %s', (_label, text) => {
    expect(() => parsePurl(text)).toThrow(PurlError)
    try {
      parsePurl(text)
    } catch (error) {
      expect((error as PurlError).code).toBe(PURL_INVALID)
    }
  })

  it.each<[string, PurlParts]>([
    ['an empty type', { type: '', name: 'x' }],
    ['a type with a slash', { type: 'a/b', name: 'x' }],
    ['an empty name', { type: 'npm', name: '' }],
    ['a name of slashes', { type: 'npm', name: '//' }],
    ['no type at all', { name: 'x' } as unknown as PurlParts],
    ['an invalid qualifier key', { type: 'npm', name: 'x', qualifiers: { 'in production': 'true' } }],
    ['qualifier keys equal but for case', { type: 'npm', name: 'x', qualifiers: { arch: 'a', ARCH: 'b' } }],
  ])('refuses to build %s', (_label, parts) => {
    expect(() => formatPurl(parts)).toThrow(PurlError)
  })
})

describe('fuzzing parsePurl', () => {
  it('returns or throws PurlError on mangled purls, and what it returns formats and parses back', () => {
    const source = 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12&upstream=glibc#usr/lib/x%20y'
    let state = 0x1234
    const random = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      return state / 2 ** 32
    }
    const alphabet = 'pkg:/@?#&=%2B%zz%E9abcAZ09.-_~ '
    let parsed = 0
    for (let round = 0; round < 1_000; round++) {
      const chars = [...source]
      for (let edit = 0; edit < 1 + Math.floor(random() * 4); edit++) {
        const at = Math.floor(random() * chars.length)
        if (random() < 0.3) chars.splice(at, 1)
        else chars[at] = alphabet[Math.floor(random() * alphabet.length)]!
      }
      const text = chars.join('')
      try {
        const parts = parsePurl(text)
        parsed++
        expect(parsePurl(formatPurl(parts)), text).toEqual(parts)
      } catch (error) {
        if (!(error instanceof PurlError)) throw error
      }
    }
    expect(parsed).toBeGreaterThan(50)
  })
})

describe('OS package purls', () => {
  it.each<[string, string, string]>([
    ['no distro', debPurl({ name: 'curl', version: '7.88.1-10+deb12u5', architecture: 'amd64' }), 'pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64'],
    [
      'a source package of another name',
      debPurl({ name: 'libc6', version: '2.36-9+deb12u7', architecture: 'amd64', source: 'glibc', sourceVersion: '2.36-9+deb12u7' }, { id: 'debian', versionId: '12' }),
      'pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12&upstream=glibc',
    ],
    [
      'a source package of another version',
      debPurl({ name: 'libgcc-s1', version: '12.2.0-14', architecture: 'amd64', source: 'gcc-12', sourceVersion: '12.2.0-14+b1' }, { id: 'debian', versionId: '12' }),
      'pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64&distro=debian-12&upstream=gcc-12%4012.2.0-14%2Bb1',
    ],
    ['an epoch', debPurl({ name: 'login', version: '1:4.13+dfsg1-1', source: 'shadow' }, { id: 'ubuntu', versionId: '24.04' }), 'pkg:deb/ubuntu/login@1:4.13%2Bdfsg1-1?distro=ubuntu-24.04&upstream=shadow'],
    [
      'rpm with epoch and source rpm',
      rpmPurl({ name: 'tinylib', version: '2.4.1', release: '3.fc39', epoch: 2, arch: 'x86_64', sourceRpm: 'tinylib-2.4.1-3.fc39.src.rpm' }, { id: 'fedora', versionId: '39' }),
      'pkg:rpm/fedora/tinylib@2.4.1-3.fc39?arch=x86_64&distro=fedora-39&epoch=2&upstream=tinylib-2.4.1-3.fc39.src.rpm',
    ],
    ['rpm with epoch 0 and no distro', rpmPurl({ name: 'bash', version: '5.1.8', release: '9.el9', epoch: 0, arch: 'x86_64' }), 'pkg:rpm/bash@5.1.8-9.el9?arch=x86_64'],
    [
      'apk with another origin',
      apkPurl({ name: 'ssl_client', version: '1.36.1-r29', architecture: 'x86_64', origin: 'busybox' }, { id: 'alpine', versionId: '3.20.3' }),
      'pkg:apk/alpine/ssl_client@1.36.1-r29?arch=x86_64&distro=alpine-3.20.3&upstream=busybox',
    ],
    ['apk of its own origin', apkPurl({ name: 'musl', version: '1.2.5-r0', architecture: 'aarch64', origin: 'musl' }), 'pkg:apk/alpine/musl@1.2.5-r0?arch=aarch64'],
  ])('%s', (_label, actual, expected) => {
    expect(actual).toBe(expected)
    expect(formatPurl(parsePurl(actual))).toBe(actual)
  })

  it.each<[{ id: string; versionId?: string } | undefined, string | undefined]>([
    [{ id: 'debian', versionId: '12' }, 'debian-12'],
    [{ id: 'Alpine', versionId: '3.20.3' }, 'alpine-3.20.3'],
    [{ id: 'fedora' }, 'fedora'],
    [{ id: '' }, undefined],
    [undefined, undefined],
  ])('distro qualifier of %j is %s', (distro, expected) => {
    expect(distroQualifier(distro)).toBe(expected)
  })
})
