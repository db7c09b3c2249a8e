import { describe, expect, it } from 'vitest'
import { copyDestination, envNames, envValue, instructionList, parseHistoryCommand, recordsConfigInstructions } from '../../../../shared/analyzers/history/instructions.js'

describe('parseHistoryCommand', () => {
  it.each<[string, string, string]>([
    ['/bin/sh -c #(nop)  ENV PATH=/usr/local/bin:/usr/bin', 'ENV', 'PATH=/usr/local/bin:/usr/bin'],
    ['/bin/sh -c #(nop)  CMD ["bash"]', 'CMD', '["bash"]'],
    ['/bin/sh -c #(nop) COPY file:0123abcd in /app ', 'COPY', 'file:0123abcd in /app'],
    ['/bin/sh -c apt-get update && apt-get install -y curl', 'RUN', 'apt-get update && apt-get install -y curl'],
    ['|2 A=1 B="x y" /bin/sh -c make install', 'RUN', 'make install'],
    ['RUN /bin/sh -c apt-get update # buildkit', 'RUN', 'apt-get update'],
    ["RUN |1 TOKEN='a b' /bin/sh -c npm ci # buildkit", 'RUN', 'npm ci'],
    ['ENV LD_PRELOAD=/x.so', 'ENV', 'LD_PRELOAD=/x.so'],
    ['COPY app/ /app # buildkit', 'COPY', 'app/ /app'],
    ['RUN apt-get update', 'RUN', 'apt-get update'],
    ['debootstrap --variant=minbase bookworm', 'OTHER', 'debootstrap --variant=minbase bookworm'],
    ['bazel build //app:image', 'OTHER', 'bazel build //app:image'],
    ['', 'OTHER', ''],
  ])('%j → %s %j', (createdBy, instruction, args) => {
    expect(parseHistoryCommand(createdBy)).toEqual({ instruction, args })
  })

  it('tells builders that record config instructions from those that do not', () => {
    expect(recordsConfigInstructions([{ createdBy: 'ADD rootfs /' }, { createdBy: '/bin/sh -c #(nop)  CMD ["sh"]' }])).toBe(true)
    expect(recordsConfigInstructions([{ createdBy: 'bazel build' }, { createdBy: 'RUN make # buildkit' }, {}])).toBe(false)
  })
})

describe('argument helpers', () => {
  it('reads ENV names and values in both forms', () => {
    expect(envNames('A=1 B="x y" C=z\\ w')).toEqual(['A', 'B', 'C'])
    expect(envNames('LEGACY some value')).toEqual(['LEGACY'])
    expect(envValue('A=1 B="x y"', 'B')).toBe('x y')
    expect(envValue('LEGACY some value', 'LEGACY')).toBe('some value')
    expect(envValue('A=1', 'B')).toBeUndefined()
  })

  it('reads lists written by Go or as JSON', () => {
    expect(instructionList('["node" "server.js"]')).toEqual(['node', 'server.js'])
    expect(instructionList('["/bin/sh","-c","echo \\"hi\\""]')).toEqual(['/bin/sh', '-c', 'echo "hi"'])
    expect(instructionList('node server.js')).toBeUndefined()
  })

  it.each<[string, string | undefined]>([
    ['file:0123abcd in /app/', '/app'],
    ['dir:0123abcd in / ', '/'],
    ['app/ /app', '/app'],
    ['--chown=1000:1000 --from=build /out/app /usr/local/bin/app', '/usr/local/bin/app'],
    ['["a b", "/dest/"]', '/dest'],
    ['. .', undefined],
    ['app.jar', undefined],
  ])('copyDestination(%j) → %j', (args, destination) => {
    expect(copyDestination(args)).toBe(destination)
  })
})
