/**
 * End-of-life dates of Linux distribution releases, to flag images built on a release that
 * no longer receives security updates.
 *
 * Written in 2026-11 from the projects' own release pages:
 * - Debian: https://www.debian.org/releases/ and https://wiki.debian.org/LTS (the date is the
 *   end of Debian LTS, the last free security support);
 * - Ubuntu: https://ubuntu.com/about/release-cycle and the end-of-life announcements on
 *   https://lists.ubuntu.com/ubuntu-announce (LTS: end of standard support, not of the paid
 *   ESM; interim releases: 9 months);
 * - Alpine: https://alpinelinux.org/releases/ (end of support of the main repository, per
 *   branch; `edge` has none);
 * - Red Hat Enterprise Linux: https://access.redhat.com/support/policy/updates/errata (end of
 *   Maintenance Support, not of paid Extended Life);
 * - Rocky Linux: https://wiki.rockylinux.org/rocky/version/ ; AlmaLinux:
 *   https://wiki.almalinux.org/release-notes/ (end of security support);
 * - CentOS: https://www.centos.org/centos-linux-eol/ and https://www.centos.org/centos-stream/
 *   (ID `centos` with VERSION_ID `8` is taken as CentOS Linux 8, the common image);
 * - Fedora: https://docs.fedoraproject.org/en-US/releases/eol/ ;
 * - Amazon Linux: https://aws.amazon.com/amazon-linux-2/faqs/ and
 *   https://docs.aws.amazon.com/linux/al2023/ug/release-cadence.html .
 *
 * A date is a day (`2028-06-30`) or, where the project announces only a month, a month
 * (`2027-04`), which counts as ending on the last day of that month. Releases whose date was
 * not settled when the table was written are absent: {@link endOfLife} then answers
 * `undefined` (unknown), never a guess. Update the table, and {@link OS_EOL_TABLE_WRITTEN},
 * when releases come and go.
 *
 * @module
 */

/** When the table was last written. */
export const OS_EOL_TABLE_WRITTEN = '2026-11'

/** family (os-release `ID`) → release (major version, or `major.minor` where releases are named so) → end of life. */
export const OS_EOL_TABLE: Readonly<Record<string, Readonly<Record<string, string>>>> = Object.freeze({
  debian: {
    '7': '2018-05-31',
    '8': '2020-06-30',
    '9': '2022-06-30',
    '10': '2024-06-30',
    '11': '2026-08-31',
    '12': '2028-06-30',
    '13': '2030-06-30',
  },
  ubuntu: {
    '14.04': '2019-04',
    '16.04': '2021-04',
    '18.04': '2023-05-31',
    '20.04': '2025-05-31',
    '20.10': '2021-07-22',
    '21.04': '2022-01-20',
    '21.10': '2022-07-14',
    '22.04': '2027-04',
    '22.10': '2023-07-20',
    '23.04': '2024-01-25',
    '23.10': '2024-07-11',
    '24.04': '2029-04',
    '24.10': '2025-07-10',
    '25.04': '2026-01',
    '25.10': '2026-07',
  },
  alpine: {
    '3.12': '2022-05-01',
    '3.13': '2022-11-01',
    '3.14': '2023-05-01',
    '3.15': '2023-11-01',
    '3.16': '2024-05-23',
    '3.17': '2024-11-22',
    '3.18': '2025-05-09',
    '3.19': '2025-11-01',
    '3.20': '2026-04-01',
    '3.21': '2026-11-01',
    '3.22': '2027-05-01',
    '3.23': '2027-11',
  },
  rhel: {
    '6': '2020-11-30',
    '7': '2024-06-30',
    '8': '2029-05-31',
    '9': '2032-05-31',
    '10': '2035-05-31',
  },
  rocky: {
    '8': '2029-05-31',
    '9': '2032-05-31',
    '10': '2035-05-31',
  },
  almalinux: {
    '8': '2029-03-01',
    '9': '2032-05-31',
    '10': '2035-05-31',
  },
  centos: {
    '6': '2020-11-30',
    '7': '2024-06-30',
    '8': '2021-12-31',
    '9': '2027-05-31',
  },
  fedora: {
    '35': '2022-12-13',
    '36': '2023-05-16',
    '37': '2023-12-05',
    '38': '2024-05-21',
    '39': '2024-11-26',
    '40': '2025-05-13',
    '41': '2025-12',
    '42': '2026-05',
    '43': '2026-12',
  },
  amzn: {
    '2018.03': '2023-12-31',
    '2': '2026-06-30',
    '2023': '2029-06-30',
  },
})

const ALIASES: Record<string, string> = { redhat: 'rhel', 'red hat': 'rhel', amazon: 'amzn', 'amazon-linux': 'amzn', alma: 'almalinux' }

/** The table key of a release: Ubuntu and Alpine by `major.minor`, Amazon Linux 1 by its `2018.03`, the others by major version. */
function releaseKey(family: string, version: string): string | undefined {
  const match = /^(\d+)(?:\.(\d+))?/.exec(version.trim())
  if (!match) return undefined
  const major = String(Number(match[1]))
  switch (family) {
    case 'ubuntu':
      return match[2] === undefined ? undefined : `${major}.${match[2].padStart(2, '0')}`
    case 'alpine':
      return match[2] === undefined ? undefined : `${major}.${Number(match[2])}`
    case 'amzn':
      return major === '2018' ? '2018.03' : major
    default:
      return major
  }
}

/** The last instant (UTC) a table date covers: the end of the day, or of the month. */
function endInstant(date: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number | undefined]
  return day === undefined ? Date.UTC(year, month, 1) - 1 : Date.UTC(year, month - 1, day + 1) - 1
}

/**
 * Whether the release `version` of `family` (os-release `ID` and `VERSION_ID`; `12.7` and
 * `3.20.3` are read as their releases `12` and `3.20`) is past its end of life at `now`, and
 * the date it ends (or ended). `undefined` when the family or release is not in the table
 * (rolling releases, `edge`, `sid`, releases newer than the table).
 */
export function endOfLife(family: string, version: string, now: Date): { eol: boolean; date: string } | undefined {
  const normalised = family.trim().toLowerCase()
  const key = ALIASES[normalised] ?? normalised
  const releases = OS_EOL_TABLE[key]
  if (!releases) return undefined
  const release = releaseKey(key, version)
  if (release === undefined || !Object.hasOwn(releases, release)) return undefined
  const date = releases[release]!
  return { eol: now.getTime() > endInstant(date), date }
}
