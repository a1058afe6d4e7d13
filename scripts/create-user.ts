// Creates an account (or sets a new password for an existing one) straight in the store.
// Run it while the server is stopped: the embedded store's lock refuses a second process.
//   npm run create-user -- --username anna --role editor --password-stdin [--token]
//   npm run create-user                      (asks for everything)
import { parseArgs } from 'node:util'
import { createInterface } from 'node:readline/promises'
import { createAccountService } from '../src/auth/accounts.ts'
import { createAuditLog } from '../src/auth/audit.ts'
import { AuthError } from '../src/auth/errors.ts'
import { MIN_PASSWORD_LENGTH } from '../src/auth/passwords.ts'
import { isRole, ROLES, type Role } from '../src/auth/roles.ts'
import { openWiki } from './content-cli.ts'

const { values } = parseArgs({
  options: {
    username: { type: 'string' },
    role: { type: 'string' },
    'password-stdin': { type: 'boolean', default: false },
    token: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false }
  },
  strict: true
})

if (values.help) {
  process.stdout.write(`Usage: npm run create-user -- --username <name> --role <${ROLES.join('|')}> --password-stdin [--token]\nWithout flags it asks. --token prints a new API token for the account.\n`)
  process.exit(0)
}

const interactive = values.username === undefined && values.role === undefined && !values['password-stdin']

async function readStdin (): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer)
    size += (chunk as Buffer).length
    if (size > 10_000) break
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? ''
}

async function ask (): Promise<{ username: string, role: Role, password: string, token: boolean }> {
  const lines = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY })
  try {
    const username = (await lines.question('User name: ')).trim()
    const role = (await lines.question(`Role (${ROLES.join(', ')}) [editor]: `)).trim() || 'editor'
    if (!isRole(role)) throw new Error(`unknown role "${role}"`)
    // The password is typed in the open when no terminal hides it; --password-stdin is for scripts.
    const password = await lines.question(`Password (at least ${MIN_PASSWORD_LENGTH} characters): `)
    const token = /^y/i.test((await lines.question('Create an API token too? [y/N] ')).trim())
    return { username, role, password, token }
  } finally {
    lines.close()
  }
}

async function fromFlags (): Promise<{ username: string, role: Role, password: string, token: boolean }> {
  if (values.username === undefined) throw new Error('--username is missing')
  const role = values.role ?? 'editor'
  if (!isRole(role)) throw new Error(`unknown role "${role}"; use one of ${ROLES.join(', ')}`)
  if (!values['password-stdin']) throw new Error('give the password on standard input with --password-stdin (never on the command line, where others can see it)')
  return { username: values.username, role, password: await readStdin(), token: values.token }
}

let input: { username: string, role: Role, password: string, token: boolean }
try {
  input = interactive ? await ask() : await fromFlags()
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`)
  process.exit(2)
}

const { store } = await openWiki()
try {
  const accounts = createAccountService({ db: store.db })
  const audit = createAuditLog({ db: store.db })
  await accounts.ensureIndexes()
  const existing = await accounts.byUsername(input.username)
  if (existing === null) {
    const account = await accounts.create(input)
    process.stdout.write(`Created ${account.username} (${account.role}).\n`)
  } else {
    // Running it again is how an operator resets a forgotten password or changes a role.
    await accounts.setPassword(existing.username, input.password)
    if (existing.role !== input.role) await accounts.setRole(existing.username, input.role)
    process.stdout.write(`Updated ${existing.username}: new password, role ${input.role}.\n`)
  }
  await audit.record({ kind: existing === null ? 'setup' : 'password-changed', actor: 'create-user', target: input.username.toLowerCase(), detail: 'command line' })
  if (input.token) {
    const { token } = await accounts.createToken(input.username, 'create-user')
    process.stdout.write(`API token (shown once): ${token}\n`)
  }
} catch (error) {
  if (!(error instanceof AuthError)) throw error
  process.stderr.write(`${error.message}\n`)
  process.exitCode = 1
} finally {
  await store.close()
}
