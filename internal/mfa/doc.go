// Package mfa obtains MFA codes for awsmfa: from --mfa-token, from the
// profile's mfa_process command, from a hidden prompt on the controlling
// terminal, or from a desktop dialog.
//
// The terminal prompt is the AWS CLI's ("Enter MFA code for ARN: ",
// botocore's "Enter MFA code for %s: ") and is written to the terminal
// device itself, never to standard output, so it works when standard
// output is captured (the AWS CLI running `awsmfa credential-process`
// reads our stdout but leaves the terminal to us).
//
// Every code is checked with ValidateCode (6 ASCII digits) before it is
// returned, so STS is never called with something that cannot be a code.
// Error messages never repeat a code or the output of mfa_process.
package mfa
