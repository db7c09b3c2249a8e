/**
 * Reading history `created_by` strings back into Dockerfile instructions. Builders write them
 * differently:
 *
 * - the classic builder and Buildah: `/bin/sh -c #(nop)  ENV PATH=/usr/local/bin:…` for
 *   instructions that only change the config, `/bin/sh -c apt-get update && …` for `RUN`, and
 *   `|2 A=1 B=2 /bin/sh -c …` when build arguments were in scope;
 * - BuildKit: `ENV PATH=/usr/local/bin:…`, `RUN /bin/sh -c apt-get update # buildkit`,
 *   `RUN |1 A=1 /bin/sh -c … # buildkit`, `COPY app/ /app # buildkit`;
 * - Kaniko: the instruction as written (`RUN apt-get update`);
 * - tools that do not build from a Dockerfile (debootstrap, Bazel, ko, Jib): anything.
 *
 * Lists in `CMD`/`ENTRYPOINT` are written `["a" "b"]` (Go's formatting) or as JSON.
 *
 * @module
 */

/** Dockerfile instructions. */
const INSTRUCTIONS: ReadonlySet<string> = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL',
  'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
])

/** Instructions that only change the config: a builder that records them lets us check the config against the history. */
export const CONFIG_INSTRUCTIONS: ReadonlySet<string> = new Set([
  'ARG', 'CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
])

export interface HistoryInstruction {
  /** The Dockerfile instruction in upper case, or `OTHER` for entries that are not one. */
  instruction: string
  /** The instruction's arguments with the builder's decoration removed; for `RUN`, the shell command. */
  args: string
}

const BUILDKIT_SUFFIX = /\s+#\s*buildkit\s*$/
const SHELL_PREFIX = /^\/bin\/(?:ba)?sh\s+-c\s+/
const NOP = /^#\(nop\)\s*/
/** `|2 A=1 B="x y" ` : the build arguments in scope of a RUN, as builders record them. */
const RUN_ARGS = /^\|(\d+)\s+/
const ARG_PAIR = /[A-Za-z_][A-Za-z0-9_.-]*=(?:"(?:[^"\\]|\\.)*"|'[^']*'|\S*)\s*/y

/** Removes the `|N NAME=value …` prefix and the `/bin/sh -c` of a RUN. */
function runCommand(text: string): string {
  let command = text.trim()
  const args = RUN_ARGS.exec(command)
  if (args) {
    let end = args[0].length
    for (let n = Number(args[1]); n > 0; n--) {
      ARG_PAIR.lastIndex = end
      if (!ARG_PAIR.exec(command)) break
      end = ARG_PAIR.lastIndex
    }
    command = command.slice(end)
  }
  return command.replace(SHELL_PREFIX, '').trim()
}

/** The instruction a history entry records. */
export function parseHistoryCommand(createdBy: string): HistoryInstruction {
  const text = createdBy.trim().replace(BUILDKIT_SUFFIX, '')
  if (SHELL_PREFIX.test(text)) {
    const rest = text.replace(SHELL_PREFIX, '')
    if (NOP.test(rest)) {
      const body = rest.replace(NOP, '')
      const word = /^(\S+)\s*([\s\S]*)$/.exec(body)
      const instruction = word?.[1]?.toUpperCase() ?? ''
      return INSTRUCTIONS.has(instruction) ? { instruction, args: word![2]!.trim() } : { instruction: 'OTHER', args: body.trim() }
    }
    return { instruction: 'RUN', args: rest.trim() }
  }
  if (RUN_ARGS.test(text)) return { instruction: 'RUN', args: runCommand(text) }
  const word = /^([A-Z]+)(?:\s+([\s\S]*))?$/.exec(text)
  if (word && INSTRUCTIONS.has(word[1]!)) {
    const args = (word[2] ?? '').trim()
    return { instruction: word[1]!, args: word[1] === 'RUN' ? runCommand(args) : args }
  }
  return { instruction: 'OTHER', args: text }
}

/** True when the builder recorded the instructions that only change the config (ENV, CMD, USER…). */
export function recordsConfigInstructions(history: ReadonlyArray<{ createdBy?: string }>): boolean {
  return history.some(({ createdBy }) => createdBy !== undefined && CONFIG_INSTRUCTIONS.has(parseHistoryCommand(createdBy).instruction))
}

const ENV_PAIR = /([A-Za-z_][A-Za-z0-9_.-]*)=(?:"(?:[^"\\]|\\.)*"|'[^']*'|(?:[^\s\\]|\\.)*)/g

/** The variable names an `ENV` sets: `A=1 B="x y"`, or the legacy `NAME value`. */
export function envNames(args: string): string[] {
  const text = args.trim()
  if (/^[A-Za-z_][A-Za-z0-9_.-]*=/.test(text)) return [...text.matchAll(ENV_PAIR)].map((m) => m[1]!)
  const legacy = /^([A-Za-z_][A-Za-z0-9_.-]*)\s/.exec(text)
  return legacy ? [legacy[1]!] : []
}

/** The value an `ENV` sets for `name`, unquoted; undefined when it does not set it. */
export function envValue(args: string, name: string): string | undefined {
  const text = args.trim()
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*=/.test(text)) {
    const legacy = /^([A-Za-z_][A-Za-z0-9_.-]*)\s+([\s\S]*)$/.exec(text)
    return legacy && legacy[1] === name ? legacy[2]!.trim() : undefined
  }
  for (const match of text.matchAll(ENV_PAIR)) {
    if (match[1] !== name) continue
    const raw = match[0].slice(name.length + 1)
    if ((raw.startsWith('"') && raw.endsWith('"')) || (raw.startsWith("'") && raw.endsWith("'"))) return raw.slice(1, -1)
    return raw
  }
  return undefined
}

/**
 * The list of a `CMD`/`ENTRYPOINT`/`SHELL`: `["a" "b"]`, `["a","b"]`; undefined when the
 * arguments are not a list (then they cannot be compared).
 */
export function instructionList(args: string): string[] | undefined {
  const text = args.trim()
  if (!text.startsWith('[') || !text.endsWith(']')) return undefined
  const items: string[] = []
  for (const match of text.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    try {
      items.push(JSON.parse(`"${match[1]!}"`) as string)
    } catch {
      items.push(match[1]!)
    }
  }
  return items
}

/** The destination of a `COPY`/`ADD` when it is absolute (`COPY file:ab… in /app`, `COPY a b /app/`); undefined otherwise. */
export function copyDestination(args: string): string | undefined {
  const text = args.trim()
  let destination: string | undefined
  const classic = /\sin\s+(\S+)$/.exec(text)
  if (/^(?:file|dir|multi):[0-9a-f]+\s+in\s+/.test(text) && classic) destination = classic[1]
  else {
    const list = instructionList(text)
    if (list) destination = list[list.length - 1]
    else {
      const words = text.split(/\s+/).filter((word) => !word.startsWith('--'))
      if (words.length >= 2) destination = words[words.length - 1]
    }
  }
  if (destination === undefined || !destination.startsWith('/')) return undefined
  const trimmed = destination.replace(/\/+$/, '')
  return trimmed === '' ? '/' : trimmed
}
