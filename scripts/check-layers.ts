// Reads every import under src/ and checks the layout DESIGN.md promises: the top-level
// folders import each other without a cycle (app.ts and server.ts stand above them), no
// files import each other in a loop, and no source file is over the size limit.
// Prints the folder graph and the largest files; exits 1 when a rule is broken.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const sourceRoot = path.join(root, 'src')
const maxLines = 450
/** Files allowed past the limit, with the reason. */
const largeFileExceptions: Record<string, string> = {
  'store/embedded/collection.ts': 'one concept: the embedded Collection class',
  'i18n/de.ts': 'a message table, not code',
  'i18n/en.ts': 'a message table, not code',
}

const importPattern = /(?:^|\n)\s*(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g

function sourceFiles (directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const full = path.join(directory, name)
    if (statSync(full).isDirectory()) return sourceFiles(full)
    return name.endsWith('.ts') ? [full] : []
  })
}

function importsOf (file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const found: string[] = []
  for (const match of text.matchAll(importPattern)) {
    const specifier = match[1] ?? match[2] ?? match[3]
    if (specifier === undefined || !specifier.startsWith('.')) continue
    const target = path.resolve(path.dirname(file), specifier)
    if (target.endsWith('.ts')) found.push(target)
    else if (target.endsWith('.js')) found.push(target.replace(/\.js$/, '.ts'))
  }
  return found
}

/** The top-level folder a file belongs to, or its own name for files directly in src/. */
function layerOf (file: string): string {
  const relative = path.relative(sourceRoot, file)
  const [first] = relative.split(path.sep)
  return first ?? relative
}

/** Strongly connected components with more than one member (Tarjan), each sorted. */
function cycles (graph: Map<string, Set<string>>): string[][] {
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (node: string): void => {
    index.set(node, counter)
    low.set(node, counter)
    counter += 1
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node)!, low.get(next)!))
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!))
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = []
      let member: string | undefined
      do {
        member = stack.pop()!
        onStack.delete(member)
        component.push(member)
      } while (member !== node)
      if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.sort())
    }
  }
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node)
  return found
}

const files = sourceFiles(sourceRoot).sort()
const fileGraph = new Map<string, Set<string>>()
const folderGraph = new Map<string, Set<string>>()
for (const file of files) {
  const from = path.relative(sourceRoot, file)
  fileGraph.set(from, new Set())
  const fromLayer = layerOf(file)
  if (!folderGraph.has(fromLayer)) folderGraph.set(fromLayer, new Set())
  for (const target of importsOf(file)) {
    fileGraph.get(from)!.add(path.relative(sourceRoot, target))
    const toLayer = layerOf(target)
    if (toLayer !== fromLayer) folderGraph.get(fromLayer)!.add(toLayer)
  }
}

const problems: string[] = []
const topFiles = new Set(['app.ts', 'server.ts'])
for (const [from, targets] of folderGraph) {
  if (topFiles.has(from)) continue
  for (const target of targets) {
    if (topFiles.has(target)) problems.push(`${from}/ imports ${target}, which stands above every folder`)
  }
}

console.log('Folder graph (folder → folders it imports):')
for (const [from, targets] of [...folderGraph].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`  ${from.padEnd(16)} → ${[...targets].sort().join(', ') || '(nothing)'}`)
}

const folderCycles = cycles(folderGraph)
for (const cycle of folderCycles) problems.push(`folders import each other in a cycle: ${cycle.join(', ')}`)
const fileCycles = cycles(fileGraph)
for (const cycle of fileCycles) problems.push(`files import each other in a loop: ${cycle.join(', ')}`)

const sizes = files
  .map((file) => ({ file: path.relative(sourceRoot, file), lines: readFileSync(file, 'utf8').split('\n').length }))
  .sort((a, b) => b.lines - a.lines)
console.log('\nLargest files:')
for (const { file, lines } of sizes.slice(0, 8)) {
  const note = largeFileExceptions[file] ? `  (allowed: ${largeFileExceptions[file]})` : ''
  console.log(`  ${String(lines).padStart(5)}  ${file}${note}`)
}
for (const { file, lines } of sizes) {
  if (lines > maxLines && !largeFileExceptions[file]) problems.push(`${file} has ${lines} lines (limit ${maxLines})`)
}

console.log(`\n${files.length} files, ${[...fileGraph.values()].reduce((sum, targets) => sum + targets.size, 0)} imports read`)
if (problems.length > 0) {
  console.log(`\n${problems.length} problem(s):`)
  for (const problem of problems) console.log(`  - ${problem}`)
  process.exit(1)
}
console.log('No cycles between folders or files; every file within the size limit.')
