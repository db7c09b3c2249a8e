/**
 * Where pushscan keeps its data on one machine: the queue and reports of `npm start`, the
 * layer cache shared with `pushscan scan`, and later the vulnerability index.
 *
 * @module
 */
import { join } from 'node:path'
import { ENV, optional, type Env } from '../../shared/config.js'

/** `$PUSHSCAN_DATA_DIR`, else `$XDG_DATA_HOME/pushscan`, else `~/.local/share/pushscan`. */
export function defaultDataDir(env: Env, homeDir: string): string {
  return optional(env, ENV.DataDir) ?? join(optional(env, 'XDG_DATA_HOME') ?? join(homeDir, '.local', 'share'), 'pushscan')
}
