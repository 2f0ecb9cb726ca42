// Package broker gets and refreshes the temporary credentials of an AWS
// profile with as few MFA prompts as possible, for the AWS CLI
// (credential_process), `awsmfa exec`, the container-credentials server and
// `awsmfa export`.
//
// # Flow
//
// Broker.Get resolves the profile with awsconfig (whose errors, naming file,
// line, profile and key, are returned as they are) and then:
//
//  1. Cache hit: when the profile's final credentials are cached with at
//     least GetOptions.MinRemaining left, they are returned. No prompt, no
//     STS client, no SDK configuration: reading the config files and one
//     cache entry is all a hit costs.
//
//  2. Otherwise the profile's lock is taken (in-process mutex, then the
//     cache's cross-process lock), the cache is checked again (another
//     process may just have refreshed it), and the chain is walked:
//
//     - session mode (the default, awsconfig.MFAModeSession): the MFA
//     session (sts:GetSessionToken with SerialNumber and TokenCode, for
//     mfa_session_duration, default 12 h) is cached under
//     Chain.MFASessionKey, under its own lock, so every profile built on
//     the same long-term keys and device shares one code; each role of the
//     chain is then assumed with the session (no SerialNumber: the session
//     carries MFA), at most one hour (role chaining), and re-assumed from
//     the cached session when it expires, without a prompt;
//     - per-role mode: each AssumeRole whose profile has mfa_serial sends
//     SerialNumber and TokenCode, as the AWS CLI does;
//     - no mfa_serial anywhere: a plain chain (static keys, roles), cached
//     the same way.
//
// Every intermediate and final role credential is cached (key: a hash of
// the chain's configuration up to that role, see Keys), so a chain is only
// re-walked from the first link that has expired.
//
// Locks are always taken from the final credentials towards the base (a
// key of depth d before any key of depth d-1), so two processes resolving
// overlapping chains cannot deadlock, and N processes started together cost
// one prompt and one STS call per link: the others wait for the lock and
// find the cache filled.
//
// Credentials are used while they have at least the consumer's margin
// left (GetOptions.MinRemaining), capped at half their lifetime (Margin,
// from the Issued time stored with them): a 15-minute role session is
// served from the cache, by every process, until 7.5 minutes are left,
// instead of being assumed again on every call.
//
// # Faults
//
// When an attempt made under a key's lock fails in a way the processes
// waiting for that lock would meet too (STS's answer: a wrong or reused
// code, a refusal, an unreachable endpoint; or mfa_process failing), the
// process records the failure (code, words, when and which process; no
// secret) next to the lock before releasing it. A process that began its
// Get before that moment and then obtains the lock fails at once with the
// same error, saying so on a line of its own, instead of asking for a code
// and calling STS again: 50 processes started with a wrong code cost one
// prompt and one GetSessionToken. A Get that begins after the failure (the
// user fixed the code, or waited for the next one) tries again. Failures
// that belong to one process only are not shared: cancellation, no way to
// prompt, prompting off, a refused --mfa-token or a cancelled prompt.
//
// A cache entry that cannot be used (it does not decrypt with the
// passphrase, or is damaged, oversized, of another version) is reported
// once per process, saying that it will be replaced, and is treated as
// absent. A cache that cannot be used at all (a directory that cannot be
// created or written) is reported once and the broker goes on without it:
// no cross-process lock, nothing read or stored. A nil Cache is the same.
//
// A credential_process's output is read up to MaxProcessOutput (1 MiB):
// past it the process is stopped and that is an error.
//
// # Errors
//
// STS refusals and network failures are *Error values that say in plain
// words what went wrong and which profile, key or device is concerned:
// a wrong or reused code, a device not associated with the user, a role
// whose trust policy does not admit the caller (with a hint when it
// probably requires MFA), an unknown or inactive access key, an expired
// session token, an unreachable endpoint (naming it and where it was
// configured).
package broker
