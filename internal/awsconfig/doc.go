// Package awsconfig reads, resolves and edits the AWS shared config and
// credentials files (~/.aws/config, ~/.aws/credentials) exactly as the AWS
// SDKs do, and adds the settings awsmfa needs on top.
//
// # Reading
//
// Load(OSEnv()) finds the files ($AWS_CONFIG_FILE, $AWS_SHARED_CREDENTIALS_FILE,
// else ~/.aws/config and ~/.aws/credentials with the home directory from
// $HOME, or on Windows %USERPROFILE% or %HOMEDRIVE%%HOMEPATH%), parses and
// merges them, and selects $AWS_PROFILE (else "default"). Each file is read
// up to MaxFileSize (16 MiB; reading stops one byte past it): a larger or
// endless one (AWS_CONFIG_FILE=/dev/zero) is a CodeTooLarge error naming
// it. Parse does the
// same for texts in memory; Env (Getenv, Platform, ReadFile) makes
// everything testable without touching the process environment.
//
// The syntax and merging rules are those of the SDKs' shared profile-file
// specification as implemented by smithy-rs, checked against its
// conformance suites (testdata/smithy-rs):
//
//   - "[profile NAME]" and "[default]" in the config file, "[NAME]" in the
//     credentials file; "[profile default]" wins over "[default]" in the
//     config file; unprefixed sections in the config file (other than
//     [default]) and prefixed ones in the credentials file are ignored.
//   - "[sso-session NAME]" and "[services NAME]" sections (the latter hold
//     service sub-properties: "sts =\n  endpoint_url = http://...").
//   - Comment lines start with '#' or ';' in column 0; on a property line
//     a comment starts at '#' or ';' preceded by whitespace ("a = b#c" keeps
//     "b#c"); on a section line at any '#' or ';'.
//   - A line starting with a space or tab continues the previous value
//     ("\n" joined, trimmed); after an empty value ("s3 =") continuation
//     lines are sub-properties and must contain '='.
//   - Profile names are case-sensitive; keys are case-insensitive (stored
//     in lower case). Names and keys must be identifiers
//     ([A-Za-z0-9_\-/.%@:+]+): sections or keys that are not are ignored,
//     with a Warning, as the SDKs do.
//   - Sections with the same name merge; the last value of a key wins; the
//     credentials file is read after the config file, so its values win
//     key by key. A section or a key written twice in one file is merged
//     the same way, with a Warning of kind WarnCLIRejects: the AWS CLI
//     (botocore, Python's strict configparser) refuses such a file
//     altogether.
//   - Errors (Expected a profile definition, missing ']', missing '=',
//     empty key, stray continuation, bad sub-property) are *Error values
//     with the file and line.
//
// # Resolving a profile
//
// (*Config).ResolveChain(name) turns a profile into a Chain with the SDKs'
// rules (role_arn + source_profile | credential_source; static keys in a
// source profile win over its role_arn; self-reference only with static
// keys; cycles, missing sources and partial keys are errors):
//
//	Base (static keys | credential_process | credential_source |
//	      web identity | SSO | login session)
//	  -> Steps[0] AssumeRole (role_arn, external_id, role_session_name,
//	                          mfa_serial, duration_seconds, ...)
//	  -> Steps[1] ...
//
// (*Config).Resolve(name) does that and then validates the values awsmfa
// relies on (IAM role ARNs; mfa_serial as a device ARN or hardware serial,
// with a specific message when it is the user's ARN; duration_seconds
// 900..43200 and <= 3600 under role chaining; role_session_name,
// external_id, credential_source, region, endpoint URLs), returning every
// problem at once as *Error values (errors.Join) that name file, line,
// profile and key. It also fills:
//
//   - Chain.Region: $AWS_REGION, $AWS_DEFAULT_REGION, else the resolved
//     profile's region.
//   - Chain.STSEndpoint: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the
//     profile's [services] section, the profile's endpoint_url (see
//     EndpointURL; ignore_configured_endpoint_urls and
//     AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turn them off). Pointing any of
//     them at `awsmfa lab` makes the whole chain talk to the lab.
//   - Chain.MFA: awsmfa's own keys (below).
//
// # awsmfa's keys
//
// The AWS CLI and SDKs ignore keys they do not know, so these can sit in
// ~/.aws/config. Each is read from the nearest profile of the chain that
// sets it: the resolved profile, then each source profile down to the base.
//
//	mfa_process           command printing an MFA code, e.g.
//	                      "ykman oath accounts code -s aws"
//	mfa_session_duration  lifetime of the MFA session (GetSessionToken):
//	                      a Go duration ("12h", "90m") or a number of
//	                      seconds; 15m to 36h; default 12h
//	awsmfa_mode           "session" (default) or "per-role"
//
// # MFA modes and shared sessions
//
// In "session" mode the broker calls GetSessionToken once with the MFA code
// (device MFA.Serial: the base profile's mfa_serial, else that of the step
// nearest the base) and makes every AssumeRole of the chain with that
// session, without SerialNumber. Chains with the same MFASessionKey (same
// long-term access key, device and STS endpoint) share that session, so
// one code serves every role profile built on the same keys; MFAGroups
// lists them. AssumeRole with session credentials is role chaining, so
// role sessions last at most one hour (AssumeRoleStep.Duration caps it;
// the broker re-assumes from the MFA session). A session needs long-term
// keys: when the base is anything else (or has aws_session_token), Resolve
// falls back to "per-role" and says why in MFA.ModeNote. In "per-role"
// mode each step with mfa_serial is an AssumeRole with SerialNumber and
// TokenCode, as the AWS CLI does.
//
// # Editing
//
// SetProfile and DeleteKeys change one profile of a config-file text and
// keep every other byte (comments, order, blank lines, other sections,
// CRLF, a missing final newline); WriteFileAtomic replaces the file on
// disk atomically (temporary file, fsync, rename), keeping its mode.
//
// # Other helpers
//
// ContainerCredentialsURI applies the SDKs' container-credentials rules
// (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI, allowed hosts).
// Secret values (secret keys, session tokens) are typed Secret, which
// prints redacted; Section.String and Chain.String print no values.
package awsconfig
