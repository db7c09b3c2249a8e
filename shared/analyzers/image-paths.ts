/**
 * Where things normally live in a Linux image, for the malware and filesystem rules: the
 * directories the OS keeps programs and libraries in (package managers own what is there),
 * the ones the administrator installs into (`/usr/local`), the trees language package
 * managers fill (their native extensions are numerous and nobody's trojan signature), the
 * temporary directories, and the places no program belongs in.
 *
 * Every check is a string test on the path: no I/O, cheap enough for `wants()`.
 *
 * @module
 */

/** Programs the OS packages install (`/usr/bin`, and `/bin` where `/usr` is not merged). */
const SYSTEM_BINARY_DIRS = ['/bin/', '/sbin/', '/usr/bin/', '/usr/sbin/', '/usr/games/', '/usr/libexec/']
/** Libraries and helpers the OS packages install. */
const SYSTEM_LIBRARY_DIRS = ['/lib/', '/lib32/', '/lib64/', '/libx32/', '/usr/lib/', '/usr/lib32/', '/usr/lib64/', '/usr/libx32/']
/** What the administrator installs by hand (FHS: owned by no package, on purpose). */
const LOCAL_PROGRAM_DIRS = ['/usr/local/bin/', '/usr/local/sbin/', '/usr/local/games/', '/usr/local/libexec/']
const LOCAL_LIBRARY_DIRS = ['/usr/local/lib/', '/usr/local/lib32/', '/usr/local/lib64/']

/** Temporary directories: anyone may write there, and nothing there is meant to be run. */
const TEMP_DIRS = ['/tmp/', '/var/tmp/', '/dev/shm/', '/run/shm/']

/**
 * Directories no program or library belongs in: temporary and runtime state, devices, logs,
 * spools, caches, configuration, the boot loader's files and the kernel's pseudo-filesystems.
 * (`/usr/share`, `/opt`, `/srv`, `/var/lib`, home directories and `/app` are not here: real
 * images keep whole applications there: .NET in `/usr/share/dotnet`, Elasticsearch and
 * Grafana in `/usr/share/*`, nvm in `/root/.nvm`.)
 */
const NO_PROGRAM_DIRS = [...TEMP_DIRS, '/dev/', '/run/', '/var/run/', '/var/log/', '/var/spool/', '/var/mail/', '/var/cache/', '/etc/', '/boot/', '/proc/', '/sys/']

/**
 * Trees that language package managers fill: npm, pip (site-packages, dist-packages, virtual
 * environments), RubyGems, Bundler and Composer vendoring, Cargo and Go module caches.
 */
const LANGUAGE_TREE = /\/(?:node_modules|site-packages|dist-packages|\.?venv|gems|vendor|\.cargo\/registry|pkg\/mod|\.m2\/repository|\.gradle\/caches|\.nuget\/packages)\//

/** Documentation, examples and test data: files there are read by people, not run. */
const DOCUMENTATION_TREE = /^\/usr\/(?:local\/)?share\/(?:doc|man|info|help|gtk-doc|javascript)\/|\/(?:examples?|tests?|testdata|fixtures|__tests__|docs?)\//

/** Home directories: users keep their own tools there (`~/.local/bin`, `~/.cargo/bin`, nvm). */
const HOME_DIR = /^\/(?:root|home\/[^/]+)(?:\/|$)/

function under(path: string, dirs: readonly string[]): boolean {
  for (const dir of dirs) if (path.startsWith(dir)) return true
  return false
}

/** In a directory the OS's packages install programs or libraries into. */
export function isSystemProgramPath(path: string): boolean {
  return under(path, SYSTEM_BINARY_DIRS) || under(path, SYSTEM_LIBRARY_DIRS)
}

/** In a directory the dynamic linker searches by default (system or `/usr/local` libraries). */
export function isLibraryPath(path: string): boolean {
  return under(path, SYSTEM_LIBRARY_DIRS) || under(path, LOCAL_LIBRARY_DIRS)
}

/** In a system directory or its `/usr/local` counterpart: where programs and libraries normally are. */
export function isStandardProgramPath(path: string): boolean {
  return isSystemProgramPath(path) || under(path, LOCAL_PROGRAM_DIRS) || under(path, LOCAL_LIBRARY_DIRS)
}

/** In `/usr/local/bin` or `/usr/local/sbin`: hand-installed programs and entrypoint scripts. */
export function isLocalBinaryPath(path: string): boolean {
  return path.startsWith('/usr/local/bin/') || path.startsWith('/usr/local/sbin/')
}

export function isTempPath(path: string): boolean {
  return under(path, TEMP_DIRS)
}

/** In a directory where no program or library belongs (see {@link NO_PROGRAM_DIRS}). */
export function isNoProgramPath(path: string): boolean {
  return under(path, NO_PROGRAM_DIRS)
}

/** Inside a language package manager's tree. */
export function isLanguageTreePath(path: string): boolean {
  return LANGUAGE_TREE.test(path)
}

/** Inside documentation, examples or test data. */
export function isDocumentationPath(path: string): boolean {
  return DOCUMENTATION_TREE.test(path)
}

export function isHomePath(path: string): boolean {
  return HOME_DIR.test(path)
}

/** `libfoo.so`, `libfoo.so.1.2.3`: the names shared libraries are given. */
const SHARED_OBJECT_NAME = /\.so(?:\.\d+)*$/

export function isSharedObjectName(path: string): boolean {
  return SHARED_OBJECT_NAME.test(path)
}

/** Any of the execute bits. */
export function isExecutableMode(mode: number): boolean {
  return (mode & 0o111) !== 0
}

/** The first path segment that starts with a dot (`/usr/lib/.x/y` → `/usr/lib/.x`), if any. */
export function hiddenPrefix(path: string): string | undefined {
  let at = path.indexOf('/.')
  while (at !== -1) {
    const end = path.indexOf('/', at + 1)
    const segment = path.slice(at + 1, end === -1 ? undefined : end)
    if (segment.length > 1) return end === -1 ? path : path.slice(0, end)
    at = path.indexOf('/.', at + 1)
  }
  return undefined
}

/** A name made only of dots and blanks, other than `.` and `..`: `...`, `.. `, ` `. */
export function isDotsOnlyName(name: string): boolean {
  return /^[.\s]+$/.test(name) && name !== '.' && name !== '..'
}

const HOME = String.raw`\/(?:root|home\/[^/]+)`

/** Places that make something run again later: at boot, on a schedule, at login, on SSH access. */
const PERSISTENCE: ReadonlyArray<readonly [string, RegExp]> = [
  ['cron job', /^\/etc\/(?:crontab|anacrontab|cron\.(?:d|hourly|daily|weekly|monthly|yearly)\/[^/]+|crontabs\/[^/]+|periodic\/[^/]+\/[^/]+)$|^\/var\/spool\/cron\/(?:crontabs\/)?[^/]+$/],
  [
    'shell startup file',
    new RegExp(
      String.raw`^\/etc\/(?:profile|bash\.bashrc|bashrc|zshrc|zprofile|zlogin|zshenv|environment|csh\.cshrc|csh\.login|profile\.d\/[^/]+|zsh\/[^/]+)$|^${HOME}\/\.(?:bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zprofile|zlogin|zshenv|kshrc|mkshrc|cshrc|tcshrc)$`
    ),
  ],
  ['SSH authorized keys', /\/authorized_keys2?$/],
  ['systemd unit', new RegExp(String.raw`^\/(?:etc|usr\/lib|lib|usr\/local\/lib)\/systemd\/(?:system|user)\/.|^${HOME}\/\.config\/systemd\/user\/.`)],
  ['init script', /^\/etc\/(?:rc\.local|inittab|init\.d\/[^/]+|rc\.d\/.+|rc[0-6S]\.d\/[^/]+|init\/[^/]+\.conf|local\.d\/[^/]+)$/],
  ['login message script', /^\/etc\/update-motd\.d\/[^/]+$/],
  ['autostart entry', new RegExp(String.raw`^\/etc\/xdg\/autostart\/[^/]+$|^${HOME}\/\.config\/autostart\/[^/]+$`)],
  ['sudoers rule', /^\/etc\/(?:sudoers|sudoers\.d\/[^/]+)$/],
]

/** What kind of persistence a file at `path` gives (`cron job`, `systemd unit`…), if any. */
export function persistenceKind(path: string): string | undefined {
  for (const [kind, pattern] of PERSISTENCE) if (pattern.test(path)) return kind
  return undefined
}
