import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { engineProblems, lowestSupported } from '../scripts/engines.ts'

describe('the Node.js versions every installed package accepts', () => {
  it('takes the first release of each line a range allows', () => {
    assert.deepEqual(lowestSupported('^20.19.0 || ^22.13.0 || >=24'), ['20.19.0', '22.13.0', '24.0.0'])
    assert.deepEqual(lowestSupported('>=20.15'), ['20.15.0'])
  })

  it('names a package that wants a newer Node than one of the supported lines, and passes the rest and optional binaries for processors nobody serves from', () => {
    const lock = {
      packages: {
        '': { version: '0.1.0', engines: { node: '>=99' } },
        'node_modules/cookie': { version: '2.0.2', engines: { node: '>=22' } },
        'node_modules/neostandard': { version: '0.13.0', engines: { node: '^20.19.0 || ^22.13.0 || >=24' } },
        'node_modules/old-style': { version: '1.0.0', engines: ['node >= 0.8'] },
        'node_modules/no-engines': { version: '1.0.0' },
        'node_modules/@img/sharp-win32-ia32': { version: '0.35.6', engines: { node: '^20.9.0' }, optional: true, cpu: ['ia32'] },
        'node_modules/@img/sharp-linux-x64': { version: '0.35.6', engines: { node: '>=99' }, optional: true, cpu: ['x64'] }
      }
    }
    assert.deepEqual(engineProblems(lock, ['20.19.0', '22.13.0', '24.0.0']), [
      { location: 'node_modules/cookie', version: '2.0.2', wants: '>=22', refuses: ['20.19.0'] },
      { location: 'node_modules/@img/sharp-linux-x64', version: '0.35.6', wants: '>=99', refuses: ['20.19.0', '22.13.0', '24.0.0'] }
    ])
    assert.deepEqual(engineProblems(lock, ['22.12.0']), [
      { location: 'node_modules/neostandard', version: '0.13.0', wants: '^20.19.0 || ^22.13.0 || >=24', refuses: ['22.12.0'] },
      { location: 'node_modules/@img/sharp-linux-x64', version: '0.35.6', wants: '>=99', refuses: ['22.12.0'] }
    ])
  })

  it('finds none in this project\'s lockfile for the versions package.json declares', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as Parameters<typeof engineProblems>[0]
    assert.equal(manifest.engines.node, '^20.19.0 || ^22.13.0 || >=24')
    assert.deepEqual(engineProblems(lock, lowestSupported(manifest.engines.node)), [])
  })
})
