// Usage: npm run follow -- <handle or URL>        follow another organisation (wiki@other.example)
//        npm run follow -- --unfollow <handle or URL>
//        npm run follow -- --list
// With the embedded engine, run it while the server is stopped (the data dir is locked
// while the server runs; use the admin page then). The Follow is sent right away; the
// other side's Accept reaches the server's inbox when it runs again (senders retry).
import { buildApp } from '../src/app.ts'
import { ConfigError, loadConfig } from '../src/config/index.ts'
import { exitIfDataDirInUse } from './content-cli.ts'

const args = process.argv.slice(2)
const usage = 'usage: npm run follow -- <wiki@host | URL> | --unfollow <wiki@host | URL> | --list'
if (args.length === 0 || args.includes('--help')) {
  process.stdout.write(usage + '\n')
  process.exit(args.length === 0 ? 2 : 0)
}

let config
try {
  config = loadConfig(process.env)
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(error.message + '\n')
    process.exit(2)
  }
  throw error
}

let app
try {
  app = await buildApp(config, { logger: { level: 'warn' } })
} catch (error) {
  exitIfDataDirInUse(error)
  process.stderr.write(`${(error as Error).message}\n`)
  process.exit(1)
}

try {
  if (args[0] === '--list') {
    const { follows } = app.federation
    const [following, requested, followers] = await Promise.all([follows.listFollowing(), follows.listFollowRequests(), follows.listFollowers()])
    process.stdout.write(`following (${following.length}):\n${following.map(id => `  ${id}\n`).join('')}`)
    process.stdout.write(`waiting for them to accept (${requested.length}):\n${requested.map(id => `  ${id}\n`).join('')}`)
    process.stdout.write(`followers (${followers.length}):\n${followers.map(id => `  ${id}\n`).join('')}`)
  } else if (args[0] === '--unfollow') {
    if (!args[1]) throw new Error(usage)
    const { actorId } = await app.federation.follows.unfollow(args[1])
    await app.federation.core.delivery.kick()
    process.stdout.write(`unfollowed ${actorId}\n`)
  } else {
    const { actorId, alreadyFollowing } = await app.federation.follows.follow(args[0] as string)
    await app.federation.core.delivery.kick()
    const waiting = await app.store.db.collection('deliveryQueue').countDocuments({})
    process.stdout.write(alreadyFollowing ? `already following ${actorId}\n` : `sent a follow request to ${actorId}\n`)
    // The other side verifies our signature by fetching our actor, which only the running server answers.
    if (waiting > 0) process.stdout.write('it will be delivered again once the server runs; the answer arrives there\n')
  }
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`)
  process.exitCode = 1
} finally {
  await app.close()
}
