#!/usr/bin/env node
// Differential-test oracle for awsmfa's IAM policy evaluator.
//
// TEST ONLY. This wraps @cloud-copilot/iam-simulate, which is licensed
// AGPL-3.0-or-later. awsmfa never imports, vendors or ships it: `make test`
// installs it into tools/oracle/node_modules and the Go tests talk to this
// script over stdin/stdout.
//
// Usage:
//   node oracle.mjs                 < inputs.jsonl > decisions.jsonl
//   node oracle.mjs --bench [N]     < inputs.jsonl   (prints decisions/s)
//
// Each input line is one `awsmfa policy simulate` Input (see
// internal/simulate/types.go). Each output line is
//   {"decision":"allowed"|"explicitDeny"|"implicitDeny"}  or  {"error":"..."}
// in input order, one per non-empty input line. Errors are the oracle's own
// (invalid policy for iam-simulate, unknown action, a context key it would
// silently drop, ...): they are reported, never fatal.

import { realpathSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { anonymousPrincipal, runSimulation } from '@cloud-copilot/iam-simulate'

const decisionNames = {
  Allowed: 'allowed',
  ExplicitlyDenied: 'explicitDeny',
  ImplicitlyDenied: 'implicitDeny'
}

// arnAccount returns the account field of an ARN, or '' for non-ARNs.
function arnAccount(arn) {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) return ''
  const parts = arn.split(':')
  return parts.length >= 6 ? parts[4] : ''
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

// contextValue converts one of our context values (string, bool, number or a
// list of them) to iam-simulate's string | string[].
function contextValue(key, v) {
  const scalar = (x) => {
    if (typeof x === 'string') return x
    if (typeof x === 'boolean' || typeof x === 'number') return String(x)
    throw new Error(`context key ${key}: unsupported value type ${x === null ? 'null' : typeof x}`)
  }
  if (Array.isArray(v)) return v.map(scalar)
  return scalar(v)
}

const isStar = (v) => v === '*' || (Array.isArray(v) && v.length > 0 && v.every((x) => x === '*'))

// isRCPFullAWSAccess reports whether an RCP is AWS's RCPFullAWSAccess (or
// says the same): every statement allows everything to everyone, without
// conditions. iam-simulate adds RCPFullAWSAccess to every level itself and
// rejects Allow statements in RCPs, while awsmfa takes the policies of each
// level as given, so inputs for awsmfa list it explicitly.
function isRCPFullAWSAccess(policy) {
  if (!isObject(policy)) return false
  const stmts = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]
  return (
    stmts.length > 0 &&
    stmts.every(
      (s) =>
        isObject(s) &&
        s.Effect === 'Allow' &&
        isStar(s.Principal) &&
        isStar(s.Action) &&
        isStar(s.Resource) &&
        Object.keys(s).every((k) => ['Sid', 'Effect', 'Principal', 'Action', 'Resource'].includes(k))
    )
  )
}

// toSimulation converts our Input to iam-simulate's Simulation.
export function toSimulation(input) {
  if (!isObject(input)) throw new Error('input must be a JSON object')
  const req = input.request
  if (!isObject(req)) throw new Error('input.request must be an object')
  if (typeof req.principal !== 'string') throw new Error('request.principal must be a string')
  for (const f of ['action', 'resource']) {
    if (typeof req[f] !== 'string' || req[f] === '') throw new Error(`request.${f} must be a non-empty string`)
  }
  const accountId = req.resourceAccount || arnAccount(req.resource) || arnAccount(req.principal)
  const contextVariables = {}
  for (const [k, v] of Object.entries(req.context ?? {})) {
    // In awsmfa's input, null and an empty list leave the key absent.
    if (v === null || (Array.isArray(v) && v.length === 0)) continue
    contextVariables[k] = contextValue(k, v)
  }
  const named = (prefix) => (policy, i) => ({ name: `${prefix}${i}`, policy })
  const levels = (list, kind, keep) =>
    (list ?? []).map((level, i) => ({
      orgIdentifier: i === 0 ? 'r-root' : `ou-level${i}`,
      policies: (level ?? []).map(named(`${kind}-${i}-`)).filter((p) => keep(p.policy))
    }))
  // awsmfa names an unsigned request "anonymous" (or "*" or "").
  const anonymous = ['', '*', 'anonymous'].includes(req.principal)
  const sim = {
    request: {
      principal: anonymous ? anonymousPrincipal : req.principal,
      action: req.action,
      resource: { resource: req.resource, accountId },
      contextVariables
    },
    identityPolicies: (input.identityPolicies ?? []).map(named('identity-')),
    serviceControlPolicies: levels(input.serviceControlPolicies, 'scp', () => true),
    resourceControlPolicies: levels(input.resourceControlPolicies, 'rcp', (p) => !isRCPFullAWSAccess(p))
  }
  if (input.resourcePolicy != null) sim.resourcePolicy = input.resourcePolicy
  if (input.permissionsBoundary != null) {
    sim.permissionBoundaryPolicies = [{ name: 'permissionsBoundary', policy: input.permissionsBoundary }]
  }
  if (input.sessionPolicy != null) sim.sessionPolicy = input.sessionPolicy
  return sim
}

// decide runs one input line and returns the output object.
export async function decide(line) {
  let input
  try {
    input = JSON.parse(line)
  } catch (e) {
    return { error: `invalid JSON: ${e.message}` }
  }
  try {
    const res = await runSimulation(toSimulation(input), { simulationMode: 'Strict' })
    if (res.resultType === 'error') {
      return { error: `iam-simulate: ${JSON.stringify(res.errors)}` }
    }
    if (res.resultType === 'wildcard') {
      // iam-simulate expands a wildcard request resource into several
      // simulations; awsmfa matches the request resource literally.
      return { error: `iam-simulate ran a wildcard-resource simulation for ${input.request.resource}` }
    }
    const ignored = res.result?.ignoredContextKeys ?? []
    if (ignored.length > 0) {
      // iam-simulate drops keys that do not apply to the action; awsmfa
      // evaluates every key it is given, so the two would see different requests.
      return { error: `iam-simulate ignores context keys not applicable to ${input.request.action}: ${ignored.join(', ')}` }
    }
    const decision = decisionNames[res.overallResult]
    if (!decision) return { error: `iam-simulate: unexpected result ${res.overallResult}` }
    return { decision }
  } catch (e) {
    return { error: `iam-simulate threw: ${e && e.message ? e.message : String(e)}` }
  }
}

async function readLines() {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
  const lines = []
  for await (const line of rl) {
    if (line.trim() !== '') lines.push(line)
  }
  return lines
}

async function serve() {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
  for await (const line of rl) {
    if (line.trim() === '') continue
    // One write per decision: a caller may send one line and wait for its
    // answer (writes to a pipe are synchronous on Linux).
    process.stdout.write(JSON.stringify(await decide(line)) + '\n')
  }
}

async function bench(n) {
  const lines = await readLines()
  if (lines.length === 0) throw new Error('--bench needs input lines on stdin')
  const total = n > 0 ? n : lines.length
  // Warm up: iam-simulate loads its service data lazily.
  for (let i = 0; i < Math.min(200, lines.length); i++) await decide(lines[i])
  const counts = { allowed: 0, explicitDeny: 0, implicitDeny: 0, error: 0 }
  const cpuStart = process.cpuUsage()
  const start = process.hrtime.bigint()
  for (let i = 0; i < total; i++) {
    const out = await decide(lines[i % lines.length])
    counts[out.decision ?? 'error']++
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const cpu = process.cpuUsage(cpuStart)
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  // CPU time too: on a shared machine wall-clock rates vary with the load.
  const result = {
    engine: '@cloud-copilot/iam-simulate',
    decisions: total,
    seconds: Number(seconds.toFixed(3)),
    decisionsPerSecond: Math.round(total / seconds),
    cpuSeconds: Number(cpuSeconds.toFixed(3)),
    decisionsPerCpuSecond: Math.round(total / cpuSeconds),
    counts
  }
  process.stdout.write(JSON.stringify(result) + '\n')
}

// Run only as a script, so that other scripts may import toSimulation/decide.
const isMain = process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
if (isMain) {
  // A reader that goes away (`| head`) ends the run quietly.
  process.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0)
    throw e
  })
  const args = process.argv.slice(2)
  if (args[0] === '--bench' && (args.length === 1 || /^[0-9]+$/.test(args[1]))) {
    await bench(args[1] ? parseInt(args[1], 10) : 0)
  } else if (args.length === 0) {
    await serve()
  } else {
    process.stderr.write('usage: node oracle.mjs [--bench [N]] < inputs.jsonl\n')
    process.exit(2)
  }
}
