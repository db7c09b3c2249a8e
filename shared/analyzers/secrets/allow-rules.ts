/**
 * Allow rules: what looks like a secret but is not one, and where secrets are expected but
 * harmless. Users' first complaint about secret scanners is noise: AWS's documentation keys in
 * SDKs, test keys in Python's and Go's test suites, tokens in source maps and in package
 * documentation (see trivy#2296, #4065, #2060, #3639). Each rule here says why it exists.
 *
 * Path rules take whole files out of scope; value rules drop one match. A file that holds
 * credentials by its nature (an SSH key in a home directory, a `.env`, a credentials file) is
 * always scanned, wherever it is.
 *
 * @module
 */
import type { SecretKind } from './secret-rules.js'

export interface AllowRule {
  /** Stable, kebab-case, prefixed `allow-`. */
  readonly id: string
  /** Why what it matches is not worth reporting. */
  readonly description: string
  /** Files whose path matches are not scanned (unless {@link isAlwaysInScope}). */
  readonly path?: RegExp
  /** Matches whose secret value matches are dropped. */
  readonly value?: RegExp
  /** The kinds of secret rule the `value` test applies to; every kind when absent. */
  readonly kinds?: readonly SecretKind[]
}

function allow(rule: AllowRule): AllowRule {
  return Object.freeze(rule)
}

/** AWS's documentation key pair, built in two parts so this file does not carry it whole. */
const AWS_EXAMPLE_KEY_ID = ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join('')
const AWS_EXAMPLE_SECRET = ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCYEXAMPLEKEY'].join('/')

export const PATH_ALLOW_RULES: readonly AllowRule[] = Object.freeze([
  allow({
    id: 'allow-system-documentation',
    description: '/usr/share/doc, man, info and lintian hold package documentation and changelogs: examples and maintainers\' addresses, never the image\'s credentials.',
    path: /^\/usr\/(?:local\/)?share\/(?:doc|man|info|doc-base|help|gtk-doc|devhelp|lintian)\//,
  }),
  allow({
    id: 'allow-test-directories',
    description:
      'Test suites carry keys and tokens made for the tests (Python\'s and Go\'s standard library, every package\'s test fixtures). They are not anybody\'s credentials, and reporting them buries the real findings.',
    path: /\/(?:tests?|testing|testdata|test[-_][^/]*|testutils?|testcert|[^/]*[-_]tests?|__tests__|fixtures?|__fixtures__|specs?|__mocks__)\//i,
  }),
  allow({
    id: 'allow-test-files',
    description: 'Test source files (foo_test.go, test_foo.py, foo.test.ts, FooTest.java, foo_spec.rb) hold test keys for the same reason as test directories.',
    path: /(?:^|\/)(?:[^/]+_test\.go|test_[^/]+\.py|[^/]+_test\.py|[^/]+\.(?:test|spec)\.[cm]?[jt]sx?|[^/]+Tests?\.(?:java|kt|cs)|[^/]+_spec\.rb)$/,
  }),
  allow({
    id: 'allow-example-directories',
    description: 'examples/, samples/ and demo/ directories show how to use an API with made-up credentials.',
    path: /\/(?:examples?|samples?|demos?)\//i,
  }),
  allow({
    id: 'allow-documentation-directories',
    description: 'docs/ directories document configuration with example values, not deployed ones.',
    path: /\/(?:docs?|documentation|javadoc|apidocs)\//i,
  }),
  allow({
    id: 'allow-markdown-documentation',
    description: 'Markdown, reStructuredText and AsciiDoc files, READMEs and changelogs are documentation; their tokens are examples.',
    path: /(?:\.(?:md|markdown|mdx|rst|adoc|asciidoc)$|(?:^|\/)(?:README|CHANGELOG|CHANGES|HISTORY|NEWS)(?:\.[A-Za-z]+)?$)/i,
  }),
  allow({
    id: 'allow-typescript-declarations',
    description: 'TypeScript declaration files (*.d.ts) hold types and doc comments, no run-time values: a token in one is an example in the API documentation (the AWS SDKs\' pagination tokens, SAS URLs).',
    path: /\.d\.[cm]?ts$/,
  }),
  allow({
    id: 'allow-python-package-metadata',
    description: 'The *.dist-info/ and *.egg-info/ metadata of installed Python packages (their README in METADATA, the RECORD of hashes) (trivy#3639).',
    path: /\.(?:dist|egg)-info\//,
  }),
  allow({
    id: 'allow-python-standard-library-tests',
    description: 'Python\'s own test suite (/usr/lib/python3.X/test/) ships test certificates and keys.',
    path: /^\/usr\/(?:local\/)?lib\/python[23][^/]*\/(?:test|idlelib\/idle_test|lib2to3\/tests)\//,
  }),
  allow({
    id: 'allow-source-maps',
    description: 'Source maps (*.map) repeat the bundled sources as JSON strings, so every match in them is reported a second time in a form nobody can act on (trivy#4065).',
    path: /\.map$/,
  }),
  allow({
    id: 'allow-node-modules-tests',
    description: 'Test, example and documentation folders inside node_modules packages, whatever they are called (test-utils/, tests-fixtures/…): third-party test data.',
    path: /\/node_modules\/(?:.*\/)?(?:test[^/]*|__tests__|examples?|docs?)\//i,
  }),
  allow({
    id: 'allow-go-module-testdata',
    description: 'Go module cache and standard library test data (…/pkg/mod/…/testdata/, $GOROOT/src/…/testdata/), full of test keys.',
    path: /\/(?:pkg\/mod|go\/src)\/.*\/testdata\//,
  }),
  allow({
    id: 'allow-package-manager-metadata',
    description:
      'What dpkg, apt, debconf, apk and rpm keep about installed packages (file lists, checksums, maintainer scripts\' state, templates): written by the package manager from the distribution\'s packages, never by the image\'s author. debconf\'s answers (config.dat, passwords.dat) stay in scope.',
    path: /^\/(?:var\/lib\/dpkg\/(?:status|available|info\/[^/]+\.(?:list|md5sums|shlibs|symbols|triggers|conffiles|templates))|var\/cache\/debconf\/templates\.dat(?:-old)?|var\/lib\/apt\/lists\/|var\/cache\/apt\/|lib\/apk\/db\/|usr\/lib\/sysimage\/rpm\/|var\/lib\/rpm\/)/,
  }),
  allow({
    id: 'allow-distribution-language-runtimes',
    description:
      'The standard libraries Debian and other distributions ship with perl (perl-base, /usr/share/perl5), Python and Ruby: the distribution\'s code, the same in every image built on it. Packages installed with pip, gem or cpan land in site-packages, gems or /usr/local and stay in scope.',
    path: /^\/usr\/(?:lib\/(?:[a-z0-9_]+-linux-gnu[a-z0-9_]*\/)?perl(?:-base|5)?\/|share\/perl5?\/|lib\/python3(?:\.[0-9]+)?\/(?!(?:site|dist)-packages\/)|lib\/ruby\/[0-9.]+\/)/,
  }),
  allow({
    id: 'allow-compiled-system-databases',
    description:
      'The time zone database (/usr/share/zoneinfo) and terminfo entries: binary files compiled by the distribution, hundreds in every base image. They hold no text to leak.',
    path: /^\/(?:usr\/(?:share|lib)|lib|etc)\/(?:zoneinfo|terminfo)\//,
  }),
  allow({
    id: 'allow-locale-files',
    description: 'Translations (/usr/share/locale, *.po, *.mo, locales/): translated strings like "password: %s" are not credentials.',
    path: /(?:^\/usr\/(?:local\/)?share\/(?:locale|i18n)\/|\/locales?\/|\.(?:po|pot|mo)$)/,
  }),
])

/** Documentation and obvious placeholder markers, and sequences no random token contains. */
export const VALUE_ALLOW_RULES: readonly AllowRule[] = Object.freeze([
  allow({
    id: 'allow-aws-documentation-keys',
    description: `AWS's documentation access key pair (${AWS_EXAMPLE_KEY_ID.slice(0, 4)}…EXAMPLE, wJalr…EXAMPLEKEY), copied into SDKs, tests and tutorials everywhere (trivy#2296).`,
    value: new RegExp(`${AWS_EXAMPLE_KEY_ID}|${AWS_EXAMPLE_SECRET.replace(/\//g, '\\/')}`),
  }),
  allow({
    id: 'allow-documentation-markers',
    description:
      'Values that say they are not real: EXAMPLE, example, dummy, sample, placeholder, redacted, your_…, changeme, replace-me, fake_, not-a-real, and the classic placeholder words xyzzy, foobar, bogus (a random token contains such a word with negligible probability).',
    value: /example|dummy|sample|placeholder|redacted|your[_\s-]|change[_-]?me|replace[_-]?me|fake[_-]|not[_-]?a[_-]?real|insert[_-]?(?:your|key|token|password)|xyzzy|foobar|bogus/i,
  }),
  allow({
    id: 'allow-rfc-examples',
    description:
      'The example credentials of the OAuth RFCs (RFC 5849, RFC 6749, RFC 6750), which OAuth libraries such as oauthlib quote in their docstrings: access, refresh and temporary tokens, client credentials and codes.',
    value: new RegExp(
      [
        // RFC 6749 / RFC 6750
        '2YotnFZFEjr1zCsicMWpAA',
        'tGzv3JOkF0XG5Qx2TlKWIA',
        'SplxlOBeZQQYbYS6WxSbIA',
        'czZCaGRSa3F0MzpnWDFmQmF0M2JW',
        's6BhdRkqt3',
        'gX1fBat3bV',
        'mF_9\\.B5f-4\\.1JqM',
        // RFC 5849
        'ad180jjd733klru7',
        'nnch734d00sl2jdk',
        'hh5s93j4hdidpola',
        'hdk48Djdsa',
        'kd94hf93k423kf44',
        'pfkkdhi9sl3r4s00',
        'dh893hdasih9',
        'kllo9940pd9333jh',
        'dpf43f3p2l4k3l03',
        'j49sk3j29djd',
      ].join('|')
    ),
  }),
  allow({
    id: 'allow-masked-values',
    description: 'Masked or elided values (xxxx, ****, ..., ####): what documentation and redacted logs show instead of a secret.',
    value: /x{4,}|\*{3,}|\.{3,}|…|#{4,}/i,
    kinds: ['token', 'password'],
  }),
  allow({
    id: 'allow-repeated-characters',
    description:
      'A run of six or more identical characters (AAAAAA, 000000): a filler, not a random value. Not applied to key material, where runs of A occur in real encodings.',
    value: /(.)\1{5,}/,
    kinds: ['token', 'password'],
  }),
  allow({
    id: 'allow-character-sequences',
    description: 'Keyboard and alphabet sequences (0123456789, 123456, abcdef, ABC-DEF, qwerty): typed by a person writing an example, such as Telegram\'s documented bot token 123456:ABC-DEF….',
    value: /0123456789|123456|abcdef|abc-def|qwerty|asdfgh/i,
    kinds: ['token', 'password'],
  }),
  allow({
    id: 'allow-template-placeholders',
    description:
      'Template and variable syntax (${VAR}, $VAR, $(cmd), {{ var }}, <%= var %>, {% var %}, %(name)s, %VAR%, @VAR@, <password>, __VAR__): the real value is filled in at run time.',
    value: /\$\{|\$\(|\{\{|<%|\{%|^\$[A-Za-z_]|^%(?:\([^)]*\))?[sd]$|^%[A-Za-z_]+%$|^@[A-Za-z_]+@$|^<[^<>]+>$|^__[A-Za-z0-9_]+__$|^\[[^\]]+\]$/,
  }),
  allow({
    id: 'allow-weak-defaults',
    description:
      'Well-known default and filler passwords (password, changeme, changeit, admin, root, postgres, 123456…) as the whole value: they are placeholders in documentation and compose files, and a default password is a configuration problem, not a leaked secret.',
    value:
      /^(?:pass(?:word|wd)?\d*|passw0rd|p@ssw0rd|p@ssword|changeme|changeit|secret\d*|admin\d*|administrator|root\d*|toor|test\d*|testing|guest|user(?:name)?|default|demo|postgres|mysql|mariadb|redis|rabbitmq|mongo|letmein|qwerty\d*|\d{1,10}|none|null|nil|empty|todo|tbd|fixme|n\/a|-+)$/i,
    kinds: ['password'],
  }),
  allow({
    id: 'allow-field-names-as-values',
    description:
      'Free-form values that contain the very word they are assigned to (password, passwd, secret, token, apikey, credential): "mysecretpassword", "my-token-here" are names and documentation defaults, not secrets.',
    value: /pass(?:word|wd)|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential/i,
    kinds: ['password'],
  }),
  allow({
    id: 'allow-wordpress-default-salts',
    description: 'WordPress\'s wp-config-sample.php ships "put your unique phrase here" as every key and salt.',
    value: /^put your unique phrase here$/,
  }),
])

export const ALLOW_RULES: readonly AllowRule[] = Object.freeze([...PATH_ALLOW_RULES, ...VALUE_ALLOW_RULES])

/**
 * Files that hold credentials by their nature, scanned wherever they are: private keys in
 * SSH directories, `.env` files, and credentials files (AWS, Docker, Git, netrc, pgpass, npm,
 * PyPI, RubyGems, kubeconfig, Vault). Finding one under tests/ or docs/ of an image is still a
 * finding: nobody writes a real-looking `.env` for documentation.
 */
export const ALWAYS_IN_SCOPE: readonly RegExp[] = Object.freeze([
  /^\/root\/\.ssh\//,
  /^\/home\/[^/]+\/\.ssh\//,
  /(?:^|\/)\.env(?:\.[^/]*)?$/,
  /(?:^|\/)(?:\.aws\/(?:credentials|config)|\.docker\/config\.json|\.git-credentials|[._]netrc|\.pgpass|\.npmrc|\.pypirc|\.my\.cnf|\.gem\/credentials|\.kube\/config|\.vault-token|credentials(?:\.(?:json|ya?ml|xml|properties|csv))?)$/,
])

/** True for a file that is scanned whatever the path allow rules say. */
export function isAlwaysInScope(path: string): boolean {
  return ALWAYS_IN_SCOPE.some((pattern) => pattern.test(path))
}

/** The path allow rule that takes this file out of scope, if any. */
export function pathAllowRule(path: string, rules: readonly AllowRule[] = PATH_ALLOW_RULES): AllowRule | undefined {
  if (isAlwaysInScope(path)) return undefined
  return matchingPathRule(path, rules)
}

/** The first path allow rule whose pattern matches, for a path known not to be {@link isAlwaysInScope}. */
export function matchingPathRule(path: string, rules: readonly AllowRule[] = PATH_ALLOW_RULES): AllowRule | undefined {
  return rules.find((rule) => rule.path !== undefined && rule.path.test(path))
}

/** The value allow rule that drops a match of a rule of `kind` with this secret, if any. */
export function valueAllowRule(secret: string, kind: SecretKind, rules: readonly AllowRule[] = VALUE_ALLOW_RULES): AllowRule | undefined {
  return rules.find((rule) => rule.value !== undefined && (rule.kinds === undefined || rule.kinds.includes(kind)) && rule.value.test(secret))
}

/** True when a free-form value (an env variable, a build argument) is a placeholder, a default or an example rather than a secret. */
export function isPlaceholder(value: string): boolean {
  return valueAllowRule(value.trim(), 'password') !== undefined
}
